"""Queries behind the manager reports: funnel, stuck, health, review."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def cohort_events(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None) -> Iterator[sqlite3.Row]:
    """Every stage event of the deals created in [since, until) in `pipeline`, by deal then time."""
    return conn.execute(
        """
        SELECT d.id, d.owner, d.source, COALESCE(c.grade, 'B') AS grade, d.pipeline, d.status, d.stage,
               d.amount, d.created_at, d.closed_at, d.lost_from_stage, e.to_stage, e.at
        FROM deal d
        LEFT JOIN customer c ON c.id = d.customer_id
        JOIN stage_event e ON e.deal_id = d.id
        WHERE d.pipeline = :pipeline
          AND (:since IS NULL OR d.created_at >= :since) AND (:until IS NULL OR d.created_at < :until)
        ORDER BY d.id, e.at, e.id
        """,
        {"pipeline": pipeline, "since": since, "until": until},
    )
