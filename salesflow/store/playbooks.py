"""Playbook records: actions done on a deal (`did`), and spot-check scores of touches (`review score`)."""

from __future__ import annotations

import sqlite3


def actions_done(conn: sqlite3.Connection, deal_id: int, stage: str, since: str) -> list[sqlite3.Row]:
    """The actions of `stage` recorded on the deal at or after `since` (its entry into the stage), oldest first."""
    return conn.execute(
        "SELECT id, action, at, by, touch_id, notes FROM action_done"
        " WHERE deal_id = ? AND stage = ? AND at >= ? ORDER BY at, id",
        (deal_id, stage, since),
    ).fetchall()


def score_of(conn: sqlite3.Connection, touch_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM touch_score WHERE touch_id = ?", (touch_id,)).fetchone()


def recent_touches(conn: sqlite3.Connection, rep: str, since: str, until: str) -> list[sqlite3.Row]:
    """Touches `rep` logged in [since, until), with their deal, customer and score (if checked), by id."""
    return conn.execute(
        """
        SELECT t.id AS touch_id, t.deal_id, d.pipeline, cu.name AS customer, t.at, t.kind, t.notes, t.outcome,
               t.template, t.steps, s.score, s.by AS scored_by
        FROM touch t
        JOIN deal d ON d.id = t.deal_id
        LEFT JOIN customer cu ON cu.id = d.customer_id
        LEFT JOIN touch_score s ON s.touch_id = t.id
        WHERE t.by = ? AND t.at >= ? AND t.at < ?
        ORDER BY t.id
        """,
        (rep, since, until),
    ).fetchall()
