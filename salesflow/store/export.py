"""Queries behind `export`: every row of a table in a stable order, streamed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from salesflow.store.deals import DEAL_SELECT


# Every deal in the `export deals` column order (app.views.DEAL_COLUMNS), by id: the `deals` listing's
# own SELECT (one place for its joins), narrowed to those columns. SQLite flattens the subquery and
# reads an id range straight from the primary key.
DEALS = f"""
SELECT id, external_id, title, customer, contact, phone, email, owner, pipeline, stage, status, amount,
       close_date, source, grade, created_at, closed_at, lost_reason, next_followup, fields, history
FROM ({DEAL_SELECT}) WHERE id > :after AND id <= :upto ORDER BY id
"""
NO_END = 2**63 - 1


def deals(conn: sqlite3.Connection, after: int = 0, upto: int = NO_END) -> Iterator[tuple]:
    """Deals with after < id <= upto (all by default), as tuples in DEALS' column order."""
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: a million rows without a Row object each
    return cur.execute(DEALS, {"after": after, "upto": upto})


def begin_snapshot(conn: sqlite3.Connection) -> tuple:
    """Start a read transaction and say which state of the data it sees: the last command, the last change
    and the deals. Every salesflow write is a command with its changes, so two connections that return the
    same tuple read the same data."""
    conn.execute("BEGIN")
    return tuple(conn.execute(
        "SELECT (SELECT MAX(id) FROM command), (SELECT MAX(id) FROM change_log),"
        " (SELECT MIN(id) FROM deal), (SELECT MAX(id) FROM deal), (SELECT COUNT(*) FROM deal)").fetchone())


def touches(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    return conn.execute(
        "SELECT t.id AS touch_id, t.deal_id, t.kind, t.at, t.by, ct.name AS contact, t.notes, t.outcome"
        " FROM touch t LEFT JOIN contact ct ON ct.id = t.contact_id ORDER BY t.id")


def stage_events(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    return conn.execute(
        "SELECT id AS event_id, deal_id, from_stage, to_stage, at, by, reason, forced FROM stage_event ORDER BY id")


def customers(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    return conn.execute(
        """
        SELECT c.id AS customer_id, c.name, c.grade, c.industry, c.created_at,
               (SELECT COUNT(*) FROM contact ct WHERE ct.customer_id = c.id) AS contacts,
               (SELECT COUNT(*) FROM deal d WHERE d.customer_id = c.id) AS deals,
               (SELECT COUNT(*) FROM deal d WHERE d.customer_id = c.id AND d.status = 'open') AS open_deals
        FROM customer c ORDER BY c.id
        """)
