"""Queries about deals, their customers and contacts, touches and stage events."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from salesflow.domain.errors import NotFound
from salesflow.i18n import _
from salesflow.domain.records import Deal, Touch

DEAL_SELECT = """
SELECT d.id, d.title, d.customer_id, COALESCE(c.name, '') AS customer, d.contact_id,
       ct.name AS contact, ct.phone, ct.email, d.owner, d.pipeline, d.stage, d.status, d.amount,
       d.close_date, d.source, COALESCE(c.grade, 'B') AS grade, d.next_followup, d.created_at,
       d.stage_entered_at, d.closed_at, d.lost_reason, d.lost_from_stage, d.external_id, d.fields, d.history,
       d.last_activity_at
FROM deal d
LEFT JOIN customer c ON c.id = d.customer_id
LEFT JOIN contact ct ON ct.id = d.contact_id
"""


def deal_from_row(row: sqlite3.Row) -> Deal:
    return Deal(
        id=row["id"], title=row["title"], customer=row["customer"], pipeline=row["pipeline"],
        stage=row["stage"], status=row["status"], created_at=datetime.fromisoformat(row["created_at"]),
        stage_entered_at=datetime.fromisoformat(row["stage_entered_at"]), customer_id=row["customer_id"],
        contact_id=row["contact_id"], contact=row["contact"], phone=row["phone"], email=row["email"],
        owner=row["owner"], amount=row["amount"],
        close_date=date.fromisoformat(row["close_date"]) if row["close_date"] else None,
        source=row["source"], grade=row["grade"],
        next_followup=datetime.fromisoformat(row["next_followup"]) if row["next_followup"] else None,
        closed_at=datetime.fromisoformat(row["closed_at"]) if row["closed_at"] else None,
        lost_reason=row["lost_reason"], lost_from_stage=row["lost_from_stage"],
        external_id=row["external_id"], fields=json.loads(row["fields"] or "{}"), history=row["history"],
        last_activity_at=datetime.fromisoformat(row["last_activity_at"]) if row["last_activity_at"] else None,
    )


def get_deal(conn: sqlite3.Connection, deal_id: int) -> Deal:
    row = conn.execute(DEAL_SELECT + " WHERE d.id = ?", (deal_id,)).fetchone()
    if row is None:
        raise NotFound(_("no deal #{deal_id}").format(deal_id=deal_id), hint=_("list deals with: salesflow deals --status all"))
    return deal_from_row(row)


@dataclass(frozen=True)
class DealFilter:
    owner: str | None = None
    unassigned: bool = False
    stage: str | None = None
    status: str | None = "open"  # None = every status
    grade: str | None = None
    source: str | None = None
    customer_key: str | None = None  # a normalised fragment of the customer name
    pipeline: str | None = None


def list_deals(conn: sqlite3.Connection, f: DealFilter) -> Iterator[sqlite3.Row]:
    """Rows in `export deals` shape, ordered by id; filters are bound parameters."""
    where, params = [], []
    for column, value in (("d.owner", f.owner), ("d.stage", f.stage), ("d.status", f.status),
                          ("c.grade", f.grade), ("d.source", f.source), ("d.pipeline", f.pipeline)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if f.unassigned:
        where.append("d.owner IS NULL")
    if f.customer_key:
        where.append("instr(c.name_key, ?) > 0")
        params.append(f.customer_key)
    sql = DEAL_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.id"
    yield from conn.execute(sql, params)


def open_duplicates(conn: sqlite3.Connection, pipeline: str, phone: str | None, email: str | None,
                    customer_id: int | None) -> list[sqlite3.Row]:
    """Open deals in `pipeline` sharing the phone, email or customer of a new lead."""
    return conn.execute(
        """
        SELECT d.id, d.owner, d.stage, COALESCE(c.name, '') AS customer,
               CASE WHEN ? IS NOT NULL AND ct.phone = ? THEN 'phone'
                    WHEN ? IS NOT NULL AND ct.email = ? THEN 'email' ELSE 'customer' END AS matched
        FROM deal d
        LEFT JOIN customer c ON c.id = d.customer_id
        LEFT JOIN contact ct ON ct.id = d.contact_id
        WHERE d.pipeline = ? AND d.status = 'open'
          AND (d.customer_id = ? OR (? IS NOT NULL AND ct.phone = ?) OR (? IS NOT NULL AND ct.email = ?))
        ORDER BY d.id
        """,
        (phone, phone, email, email, pipeline, customer_id, phone, phone, email, email),
    ).fetchall()


def progressed_at(conn: sqlite3.Connection, deal_id: int) -> str | None:
    return conn.execute("SELECT progressed_at FROM deal WHERE id = ?", (deal_id,)).fetchone()[0]


def find_customer(conn: sqlite3.Connection, name_key: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM customer WHERE name_key = ?", (name_key,)).fetchone()


def find_contact(conn: sqlite3.Connection, customer_id: int, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM contact WHERE customer_id = ? AND name = ? ORDER BY id LIMIT 1",
                        (customer_id, name)).fetchone()


def _touch(row: sqlite3.Row) -> Touch:
    return Touch(id=row["id"], deal_id=row["deal_id"], kind=row["kind"], at=datetime.fromisoformat(row["at"]),
                 by=row["by"], notes=row["notes"], outcome=row["outcome"], contact=row["contact"])


_TOUCH_SELECT = """
SELECT t.id, t.deal_id, t.kind, t.at, t.by, t.notes, t.outcome, ct.name AS contact
FROM touch t LEFT JOIN contact ct ON ct.id = t.contact_id
"""


def touches_for(conn: sqlite3.Connection, deal_id: int) -> list[Touch]:
    return [_touch(r) for r in conn.execute(_TOUCH_SELECT + " WHERE t.deal_id = ? ORDER BY t.at, t.id", (deal_id,))]


def get_touch(conn: sqlite3.Connection, touch_id: int) -> Touch:
    row = conn.execute(_TOUCH_SELECT + " WHERE t.id = ?", (touch_id,)).fetchone()
    if row is None:
        raise NotFound(_("no touch {touch_id}").format(touch_id=touch_id), hint=_("touch ids are shown by: salesflow show DEAL"))
    return _touch(row)


def timeline(conn: sqlite3.Connection, deal_id: int) -> list[sqlite3.Row]:
    """Stage events and touches of a deal in the order they happened (ties: the order recorded)."""
    return conn.execute(
        """
        SELECT 'stage' AS type, e.id, e.at, e.by, e.from_stage, e.to_stage, e.reason, e.forced,
               NULL AS kind, NULL AS contact, NULL AS notes, NULL AS outcome, e.command_id,
               NULL AS template, NULL AS steps
        FROM stage_event e WHERE e.deal_id = ?
        UNION ALL
        SELECT 'touch', t.id, t.at, t.by, NULL, NULL, NULL, 0, t.kind, ct.name, t.notes, t.outcome, t.command_id,
               t.template, t.steps
        FROM touch t LEFT JOIN contact ct ON ct.id = t.contact_id WHERE t.deal_id = ?
        ORDER BY at, command_id, type, id
        """,
        (deal_id, deal_id),
    ).fetchall()


def stage_counts(conn: sqlite3.Connection, owner: str | None = None) -> list[sqlite3.Row]:
    """Open deals per pipeline stage, in pipeline order (for the demo's stage summary)."""
    return conn.execute(
        """
        SELECT s.pipeline, s.key AS stage, COUNT(d.id) AS deals, COALESCE(SUM(d.amount), 0) AS amount
        FROM stage s
        LEFT JOIN deal d ON d.pipeline = s.pipeline AND d.stage = s.key AND d.status = 'open'
                         AND (? IS NULL OR d.owner = ?)
        WHERE s.kind = 'open'
        GROUP BY s.pipeline, s.key ORDER BY s.pipeline, s.position
        """,
        (owner, owner),
    ).fetchall()


def board_rows(conn: sqlite3.Connection, pipeline: str, owners: list[str] | None) -> list[sqlite3.Row]:
    """Open deals of a pipeline (of these owners; None: all, unassigned too) for the board."""
    import json

    return conn.execute(
        """
        SELECT d.id AS deal_id, COALESCE(c.name, d.title) AS customer, d.owner, d.stage, d.amount,
               d.stage_entered_at, d.next_followup
        FROM deal d LEFT JOIN customer c ON c.id = d.customer_id
        WHERE d.status = 'open' AND d.pipeline = :pipeline
          AND (:owners IS NULL OR d.owner IN (SELECT value FROM json_each(:owners)))
        """,
        {"pipeline": pipeline, "owners": None if owners is None else json.dumps(owners)},
    ).fetchall()
