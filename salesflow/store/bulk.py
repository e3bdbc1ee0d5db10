"""Bulk loading for generated data (demo, benchmarks): executemany in the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from salesflow.store.changes import TABLES

_EXTRA = {"deal": {"id"}, "customer": {"id"}, "contact": {"id"}, "touch": {"id"}, "stage_event": {"id"}, "rep": set(), "escalation": {"id"}}


def insert_many(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows without change-log entries: generated history, not a user's command."""
    _, allowed = TABLES[table]
    bad = set(columns) - allowed - _EXTRA[table]
    if bad:
        raise ValueError(f"not writable in {table}: {sorted(bad)}")
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows)


def analyze(conn: sqlite3.Connection) -> None:
    conn.execute("ANALYZE")
