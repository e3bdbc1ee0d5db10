"""Bulk loading for generated data (demo, benchmarks): executemany in the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from salesflow.store import dialect
from salesflow.store.changes import TABLES

_EXTRA = {"deal": {"id"}, "customer": {"id"}, "contact": {"id"}, "touch": {"id"}, "stage_event": {"id"}, "rep": set(), "escalation": {"id"},
          "action_done": {"id"}}


def insert_many(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows without change-log entries: generated history, not a user's command."""
    _pk, allowed = TABLES[table]
    bad = set(columns) - allowed - _EXTRA[table]
    if bad:
        raise ValueError(f"not writable in {table}: {sorted(bad)}")
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows)
    if "id" in columns:
        dialect.ids_given(conn, table)


def big_cache(conn: sqlite3.Connection, mib: int = 64) -> None:
    """A bulk load touches pages all over its tables: a page cache this size (default 2 MiB) saves re-reads."""
    conn.execute(f"PRAGMA cache_size = -{int(mib) * 1024}")


def analyze(conn: sqlite3.Connection) -> None:
    """Planner statistics after a bulk load, from a sample of each index (a full ANALYZE of 1M deals takes ~1 s)."""
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute("ANALYZE")


def checkpoint(conn: sqlite3.Connection) -> None:
    """Fold a bulk load's WAL into the database so the next reader does not pay for it."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def indexes_deferred(conn: sqlite3.Connection, tables: Sequence[str]) -> Iterator[None]:
    """Drop the secondary indexes of `tables` for a bulk load and rebuild them after (same transaction)."""
    for table in tables:
        if table not in TABLES and table != "change_log":
            raise ValueError(f"unknown table {table}")
    if dialect.is_pg(conn):  # PostgreSQL keeps its indexes through a load (its COPY-sized batches are the gain)
        yield
        return
    marks = ", ".join("?" for _ in tables)
    saved = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        list(tables)).fetchall()
    for name, _sql in saved:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in saved:
        conn.execute(sql)
