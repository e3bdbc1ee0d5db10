"""The reads behind the activity numbers (`review --section activity`, the weekly report): per deal and per
rep facts in a period, aggregated by app.activity. Every query is bounded by the period."""

from __future__ import annotations

import sqlite3

from salesflow.store.analytics import CREATED_KNOWN


def responses(conn: sqlite3.Connection, start: str, until: str) -> list[sqlite3.Row]:
    """Deals whose clock started in [start, until) — when the current owner got them (assigned_at), else
    created — with the first touch at or after that, if any before `until`."""
    return conn.execute(
        f"""
        SELECT d.id, d.owner, COALESCE(d.assigned_at, d.created_at) AS clock,
               (SELECT MIN(t.at) FROM touch t WHERE t.deal_id = d.id AND t.at >= COALESCE(d.assigned_at, d.created_at)
                                                AND t.at < :until) AS first_touch
        FROM deal d
        WHERE COALESCE(d.assigned_at, d.created_at) >= :start AND COALESCE(d.assigned_at, d.created_at) < :until
          AND {CREATED_KNOWN}
        """,
        {"start": start, "until": until},
    ).fetchall()


def open_spans(conn: sqlite3.Connection, start: str, until: str) -> list[sqlite3.Row]:
    """Deals open at some time in [start, until): owner, created, closed (NULL while open), and the touches
    logged on them in the window while they were open."""
    return conn.execute(
        f"""
        SELECT d.deal_id AS id, d.owner, d.created_at, d.closed_at,
               (SELECT COUNT(*) FROM touch t WHERE t.deal_id = d.deal_id AND t.at >= :start AND t.at < :until
                                              AND t.at >= d.created_at
                                              AND (d.closed_at IS NULL OR t.at < d.closed_at)) AS touches
        FROM deal_fact d  -- the deal's columns in the narrow derived rows
        WHERE d.created_at < :until AND (d.closed_at IS NULL OR d.closed_at > :start) AND {CREATED_KNOWN}
        """,
        {"start": start, "until": until},
    ).fetchall()


def conversions(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Deals created in [start, end) with the first time they were in the second stage or beyond (or won)
    (the caller ends `end` at now: nothing after it is known yet)."""
    return conn.execute(
        f"""
        SELECT d.id, d.owner, d.created_at,
               (SELECT MIN(e.at) FROM stage_event e JOIN stage s ON s.pipeline = d.pipeline AND s.key = e.to_stage
                WHERE e.deal_id = d.id AND ((s.kind = 'open' AND s.position >= 1) OR s.kind = 'won')) AS reached
        FROM deal d
        WHERE d.created_at >= :start AND d.created_at < :end AND {CREATED_KNOWN}
        """,
        {"start": start, "end": end},
    ).fetchall()


def touch_days(conn: sqlite3.Connection, start: str, until: str) -> list[sqlite3.Row]:
    """(rep, day) for every day in [start, until) on which the rep logged at least one touch."""
    return conn.execute(
        "SELECT DISTINCT by, substr(at, 1, 10) AS day FROM touch WHERE at >= ? AND at < ?", (start, until),
    ).fetchall()


def reps(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT handle, role, team, manager, active, created_at FROM rep ORDER BY handle").fetchall()


def scores(conn: sqlite3.Connection, start: str, until: str) -> list[sqlite3.Row]:
    """Spot-check scores given in [start, until), with the rep who logged the touch."""
    return conn.execute(
        "SELECT t.by AS rep, s.score FROM touch_score s JOIN touch t ON t.id = s.touch_id WHERE s.at >= ? AND s.at < ?",
        (start, until),
    ).fetchall()
