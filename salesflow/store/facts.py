"""Derived facts: what the manager reports need about each deal, kept up to date by every write.

Two tables, both plain rows derived from the base tables (deal, touch, stage_event, customer, pipeline)
and never edited by hand:

| table        | per         | facts                                                                     |
|--------------|-------------|---------------------------------------------------------------------------|
| `deal_fact`  | deal        | the deal's columns reports group and filter by (narrow: a report scans    |
|              |             | these rows, not the wide deal rows), `reached` (the furthest open stage,  |
|              |             | the funnel's rule), `last_touch` (the latest touch or imported last       |
|              |             | activity), `last_move` (the latest stage event), `touch_at`/`touch_id`    |
|              |             | (the latest touch), `bare_visits` (visits without notes), for an open     |
|              |             | deal its deadlines: `due_at` (the earliest of every rule but stage-idle)  |
|              |             | and `idle_at` (stage-idle, which counts unless a follow-up is planned at  |
|              |             | or after now: the one rule that depends on the clock), and `latest`       |
| `stage_days` | deal, stage | seconds in the stage over the visits that ended (known histories only),  |
|              |             | kept sorted by (pipeline, stage, seconds): a median is a walk, not a sort |

`refresh(conn, deals)` recomputes them for some deals; every command calls it for the deals it changed,
inside its own write transaction (app.context.command), so a reader never sees base rows and facts that
disagree. `rebuild(conn)` recomputes everything (the migration, `doctor --repair`, a bulk load);
`differences(conn)` compares what is stored with a rebuild (`doctor`).

Readers use the stored facts when they are current for their `now`: `current(conn, now)` is true when no
row the facts read is dated after `now` (deal_fact.latest). A `--now` in the past sees the data as it
stood then, which only the base tables can tell: those readers keep their per-deal queries for it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from salesflow.domain import deadlines as rules

FAR = "9999-12-31T23:59:59"  # "now" for facts that hold whatever the clock says
_BATCH = 20_000

# A deal's facts from its own rows. :ids is a JSON array of deal ids, or NULL for every deal.
_DEAL_FACTS = """
SELECT d.id, d.pipeline, d.owner, d.customer_id, d.status, d.stage, d.amount, d.close_date, d.source,
       COALESCE((SELECT c.grade FROM customer c WHERE c.id = d.customer_id), 'B'), d.created_at, d.closed_at,
       d.guessed, d.history, d.stage_entered_at, d.next_followup,
       CASE WHEN d.status = 'won'
            THEN (SELECT COUNT(*) FROM stage s WHERE s.pipeline = d.pipeline AND s.kind = 'open')
            ELSE MAX(COALESCE((SELECT MAX(s.position) FROM stage_event e
                               JOIN stage s ON s.pipeline = d.pipeline AND s.key = e.to_stage AND s.kind = 'open'
                               WHERE e.deal_id = d.id), 0),
                     CASE WHEN d.status = 'lost' THEN COALESCE(
                         (SELECT s.position FROM stage s WHERE s.pipeline = d.pipeline AND s.key = d.lost_from_stage
                            AND s.kind = 'open'), 0) ELSE 0 END)
       END,
       NULLIF(MAX(COALESCE(t.at, ''), COALESCE(d.last_activity_at, '')), ''),
       (SELECT MAX(e.at) FROM stage_event e WHERE e.deal_id = d.id), t.at, t.id,
       (SELECT group_concat(v.at, ',') FROM touch v
         WHERE v.deal_id = d.id AND v.kind = 'visit' AND (v.notes IS NULL OR trim(v.notes) = '')),
       MAX(d.created_at, d.stage_entered_at, COALESCE(d.closed_at, ''), COALESCE(d.last_activity_at, ''),
           COALESCE(t.at, ''), COALESCE((SELECT MAX(e.at) FROM stage_event e WHERE e.deal_id = d.id), ''))
FROM deal d
LEFT JOIN touch t ON t.id = (SELECT x.id FROM touch x WHERE x.deal_id = d.id ORDER BY x.at DESC, x.id DESC LIMIT 1)
WHERE {where}
"""
_FACT_COLUMNS = """(deal_id, pipeline, owner, customer_id, status, stage, amount, close_date, source, grade, created_at,
    closed_at, guessed, history, stage_entered_at, next_followup, reached, last_touch, last_move, touch_at, touch_id,
    bare_visits, latest)"""
_STAGE_DAYS = """
SELECT f.pipeline, v.stage, v.seconds, v.deal_id, f.owner, f.source, f.grade, f.created_at, f.guessed
FROM (SELECT deal_id, stage, SUM(strftime('%s', left_at) - strftime('%s', entered_at)) AS seconds
      FROM (SELECT e.deal_id, e.to_stage AS stage, e.at AS entered_at,
                   LEAD(e.at) OVER (PARTITION BY e.deal_id ORDER BY e.at, e.id) AS left_at
            FROM stage_event e WHERE {where}) visits
      WHERE left_at IS NOT NULL
      GROUP BY deal_id, stage) v
JOIN {facts} f ON f.deal_id = v.deal_id
WHERE f.history IS NULL
"""
_DAYS_COLUMNS = "(pipeline, stage, seconds, deal_id, owner, source, grade, created_at, guessed)"


def _where(ids: list[int] | None, column: str) -> tuple[str, dict]:
    if ids is None:
        return "1 = 1", {}
    return f"{column} IN (SELECT CAST(value AS INTEGER) FROM json_each(:ids))", {"ids": json.dumps(ids)}


def refresh(conn: sqlite3.Connection, deals: Iterable[int] | None) -> None:
    """Recompute the facts of these deals (None: every deal) from the base tables, in the caller's
    transaction. A deal that no longer exists loses its facts."""
    if deals is None:
        _refresh(conn, None)
        return
    ids = sorted(set(deals))
    for i in range(0, len(ids), _BATCH):
        _refresh(conn, ids[i:i + _BATCH])


def _refresh(conn: sqlite3.Connection, ids: list[int] | None) -> None:
    where, params = _where(ids, "deal_id")
    conn.execute(f"DELETE FROM deal_fact WHERE {where}", params)
    conn.execute(f"DELETE FROM stage_days WHERE {where}", params)
    d_where, _p = _where(ids, "d.id")
    conn.execute(f"INSERT INTO deal_fact {_FACT_COLUMNS} " + _DEAL_FACTS.format(where=d_where), params)
    e_where, _p = _where(ids, "e.deal_id")
    conn.execute(f"INSERT INTO stage_days {_DAYS_COLUMNS} " + _STAGE_DAYS.format(where=e_where, facts="deal_fact"), params)
    conn.executemany("UPDATE deal_fact SET due_at = ?, idle_at = ? WHERE deal_id = ?", _deadlines(conn, ids))


def _deadlines(conn: sqlite3.Connection, ids: list[int] | None) -> Iterable[tuple[str | None, str | None, int]]:
    """(due_at, idle_at, deal) for each open deal: the rules of domain.deadlines on the deal's facts read
    by the same query `due` uses, with no clock (stage-idle kept apart, escalations left to `due`)."""
    from salesflow.store.due import FACTS, due_facts
    from salesflow.store.pipelines import load_pipeline

    where, params = _where(ids, "d.id")
    pipelines: dict = {}
    never = datetime.max
    rows = conn.execute(f"{FACTS}, NULL AS escalated_at FROM deal d LEFT JOIN customer c ON c.id = d.customer_id"
                        f" WHERE d.status = 'open' AND {where}", {**params, "now": FAR}).fetchall()
    for row in rows:
        f = due_facts(row)
        pipeline = pipelines.get(f.pipeline) or pipelines.setdefault(f.pipeline, load_pipeline(conn, f.pipeline))
        due = idle = None
        for d in rules.deadlines(f, pipeline, never):  # earliest first; at `never` no plan suppresses stage-idle
            if d.rule == "stage-idle":
                idle = idle or d.at
            elif due is None:
                due = d.at
        yield _iso(due), _iso(idle), f.deal_id


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def rebuild(conn: sqlite3.Connection) -> None:
    """Every derived fact from the base tables (in the caller's write transaction)."""
    refresh(conn, None)


def refresh_pipeline(conn: sqlite3.Connection, pipeline: str) -> None:
    """After a pipeline's definition changed (stage order, idle limits, SLAs): its deals' facts again."""
    refresh(conn, [r[0] for r in conn.execute("SELECT id FROM deal WHERE pipeline = ?", (pipeline,))])


def current(conn: sqlite3.Connection, now: str) -> bool:
    """Whether the stored facts hold at `now`: no row they read is dated after it (one index probe)."""
    latest = conn.execute("SELECT MAX(latest) FROM deal_fact").fetchone()[0]
    return latest is None or latest <= now


def differences(conn: sqlite3.Connection) -> dict[str, list[int]]:
    """Per table, the deals whose stored facts differ from a rebuild from the base tables (doctor). Read-only:
    the rebuild is the same queries `refresh` inserts from, compared both ways, and the deadlines computed
    again for every open deal."""
    own = not conn.in_transaction
    if own:  # one snapshot for every query below: a write committed meanwhile is not a difference
        conn.execute("BEGIN")
    try:
        return _differences(conn)
    finally:
        if own:
            conn.execute("ROLLBACK")


def _differences(conn: sqlite3.Connection) -> dict[str, list[int]]:
    columns = _FACT_COLUMNS.strip("()").replace("\n", " ")
    plain = ", ".join(c.strip() for c in columns.split(","))
    facts = {r[0] for r in conn.execute(
        f"""SELECT * FROM (SELECT {plain} FROM deal_fact EXCEPT {_DEAL_FACTS.format(where="1 = 1")})
            UNION ALL SELECT * FROM ({_DEAL_FACTS.format(where="1 = 1")} EXCEPT SELECT {plain} FROM deal_fact)""")}
    stored = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT deal_id, due_at, idle_at FROM deal_fact WHERE due_at IS NOT NULL OR idle_at IS NOT NULL")}
    for due, idle, deal in _deadlines(conn, None):
        if stored.pop(deal, (None, None)) != (due, idle):
            facts.add(deal)
    facts.update(stored)  # deadlines stored for a deal that is not open
    days_columns = _DAYS_COLUMNS.strip("()")
    rebuilt = _STAGE_DAYS.format(where="1 = 1", facts="deal_fact")
    days = {r[3] for r in conn.execute(  # (pipeline, stage, seconds, deal_id, …)
        f"""SELECT * FROM (SELECT {days_columns} FROM stage_days EXCEPT {rebuilt})
            UNION ALL SELECT * FROM ({rebuilt} EXCEPT SELECT {days_columns} FROM stage_days)""")}
    return {"deal_fact": sorted(facts), "stage_days": sorted(days)}
