"""Queries behind forecast, targets, snapshots, accuracy and backtest."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from salesflow.store.analytics import CLOSED_KNOWN


def closed_events(conn: sqlite3.Connection, pipeline: str, since: str, until: str) -> Iterator[sqlite3.Row]:
    """Stage events of the deals closed (won or lost) in [since, until), by deal then time: the replay that
    the stored reach (closed_reach, what forecast reads) is tested against."""
    return conn.execute(
        f"""
        SELECT d.id, d.status, d.stage, d.amount, d.created_at, d.closed_at, d.lost_from_stage, e.to_stage, e.at
        FROM deal d JOIN stage_event e ON e.deal_id = d.id
        WHERE d.pipeline = ? AND d.status IN ('won', 'lost') AND d.closed_at >= ? AND d.closed_at < ?
          AND d.history IS NULL AND {CLOSED_KNOWN}
        ORDER BY d.id, e.at, e.id
        """,
        (pipeline, since, until),
    )


def closed_reach(conn: sqlite3.Connection, pipeline: str, since: str, until: str) -> list[tuple[str, int, int]]:
    """(status, furthest open stage reached, deals) of the deals closed in [since, until): from the stored
    derived facts (store/facts.py), one pass over the closed deals and no event replayed."""
    return [tuple(r) for r in conn.execute(
        f"""
        SELECT d.status, d.reached, COUNT(*)
        FROM deal_fact d
        WHERE d.pipeline = ? AND d.status IN ('won', 'lost') AND d.closed_at >= ? AND d.closed_at < ?
          AND d.history IS NULL AND {CLOSED_KNOWN}
        GROUP BY d.status, d.reached
        """,
        (pipeline, since, until),
    )]


def closed_left_out(conn: sqlite3.Connection, pipeline: str | None, since: str, until: str) -> int:
    """Closed deals in [since, until) whose stage history or close time is unknown (left out of what the
    forecast learns)."""
    return conn.execute(
        "SELECT COUNT(*) FROM deal d WHERE (? IS NULL OR pipeline = ?) AND status IN ('won', 'lost')"
        f" AND closed_at >= ? AND closed_at < ? AND (history = 'unknown' OR NOT {CLOSED_KNOWN})",
        (pipeline, pipeline, since, until)).fetchone()[0]


def open_for_forecast(conn: sqlite3.Connection, pipeline: str | None) -> list[sqlite3.Row]:
    """The open deals (from the narrow derived rows, which carry these columns of the deal)."""
    return conn.execute(
        "SELECT deal_id AS id, owner, pipeline, stage, amount, close_date FROM deal_fact"
        " WHERE status = 'open' AND (? IS NULL OR pipeline = ?) ORDER BY id",
        (pipeline, pipeline),
    ).fetchall()


def won_between(conn: sqlite3.Connection, since: str, until: str, pipeline: str | None = None) -> dict[str | None, int]:
    """Amount won per owner with closed_at in [since, until)."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT owner, SUM(amount) FROM deal d WHERE status = 'won' AND closed_at >= ? AND closed_at < ?"
        f" AND (? IS NULL OR pipeline = ?) AND {CLOSED_KNOWN} GROUP BY owner",
        (since, until, pipeline, pipeline))}


def won_deals_between(conn: sqlite3.Connection, since: str, until: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, pipeline, amount FROM deal d WHERE status = 'won' AND closed_at >= ?"
                        f" AND closed_at < ? AND {CLOSED_KNOWN}", (since, until)).fetchall()


def targets(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT month, rep, amount FROM target ORDER BY month, rep").fetchall()


def target_id(conn: sqlite3.Connection, month: str, rep: str) -> int | None:
    row = conn.execute("SELECT id FROM target WHERE month = ? AND rep = ?", (month, rep)).fetchone()
    return None if row is None else row[0]


def replace_snapshot(conn: sqlite3.Connection, taken_on: str, rows: list[tuple]) -> None:
    conn.execute("DELETE FROM forecast_snapshot WHERE taken_on = ?", (taken_on,))
    conn.executemany(
        "INSERT INTO forecast_snapshot (taken_on, month, rep, deals, amount, weighted, method)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def snapshots(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM forecast_snapshot ORDER BY taken_on, month, rep").fetchall()


def deals_as_of(conn: sqlite3.Connection, as_of: str) -> list[sqlite3.Row]:
    """Every deal created before `as_of`, with its stage, amount and close date as they stood then:
    the stage from the last stage event before then; a field's value then is the `old` value of the
    first change after then, or today's value when it has not changed since."""
    return conn.execute(
        """
        SELECT d.id, d.owner, d.pipeline,
               (SELECT e.to_stage FROM stage_event e WHERE e.deal_id = d.id AND e.at <= :t
                 ORDER BY e.at DESC, e.id DESC LIMIT 1) AS stage,
               COALESCE((SELECT CAST(l.old AS INTEGER) FROM change_log l
                          WHERE l.entity = 'deal' AND l.entity_id = CAST(d.id AS TEXT) AND l.field = 'amount'
                            AND l.at > :t ORDER BY l.id LIMIT 1), d.amount) AS amount,
               CASE WHEN EXISTS (SELECT 1 FROM change_log l WHERE l.entity = 'deal' AND l.entity_id = CAST(d.id AS TEXT)
                                   AND l.field = 'close_date' AND l.at > :t)
                    THEN (SELECT l.old FROM change_log l WHERE l.entity = 'deal' AND l.entity_id = CAST(d.id AS TEXT)
                           AND l.field = 'close_date' AND l.at > :t ORDER BY l.id LIMIT 1)
                    ELSE d.close_date END AS close_date
        FROM deal d
        WHERE d.created_at <= :t
        ORDER BY d.id
        """,
        {"t": as_of},
    ).fetchall()
