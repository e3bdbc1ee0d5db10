"""Queries behind `export`: every row of a table in a stable order, streamed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from salesflow.store.deals import DEAL_SELECT


# Every deal in the `export deals` column order (app.views.DEAL_COLUMNS), by id: the `deals` listing's
# own SELECT (one place for its joins), narrowed to those columns (SQLite flattens the subquery).
DEALS = f"""
SELECT id, external_id, title, customer, contact, phone, email, owner, pipeline, stage, status, amount,
       close_date, source, grade, created_at, closed_at, lost_reason, next_followup, fields, history,
       last_activity_at
FROM ({DEAL_SELECT}) deals ORDER BY id
"""


def deals(conn: sqlite3.Connection) -> Iterator[tuple]:
    """Every deal, as tuples in DEALS' column order."""
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: a million rows without a Row object each
    return cur.execute(DEALS)


def touches(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    return conn.execute(
        "SELECT t.id AS touch_id, t.deal_id, t.kind, t.at, t.by, ct.name AS contact, t.notes, t.outcome,"
        " t.template, t.steps"
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
