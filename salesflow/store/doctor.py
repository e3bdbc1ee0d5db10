"""What `doctor` asks the database: integrity, journal mode, schema, orphans, stages against their events."""

from __future__ import annotations

import sqlite3

from salesflow.store import dialect
from salesflow.store.schema import NAMES


def integrity(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """PRAGMA quick_check's findings, [] when the file is whole (faster than integrity: no index contents)."""
    return [r[0] for r in conn.execute("PRAGMA quick_check(5)") if r[0] != "ok"]


def journal_mode(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA journal_mode").fetchone()[0]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'salesflow' ORDER BY id")]


def current_schema() -> list[str]:
    return list(NAMES)


def orphans(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(table, rowid, parent table) for every row whose reference points nowhere. PostgreSQL enforces its
    foreign keys on every write, so there none can exist."""
    if dialect.is_pg(conn):
        return []
    return [(r[0], r[1], r[2]) for r in conn.execute("PRAGMA foreign_key_check")]


def stage_mismatches(conn: sqlite3.Connection) -> list[tuple[int, str, str | None]]:
    """Deals whose stage is not where their last stage event put them (or that have no event at all).
    "Last" is the last written (id): two reps moving a deal at once commit in an order their clocks may not show."""
    return conn.execute(
        """
        SELECT id, stage, last FROM (
            SELECT d.id, d.stage,
                   (SELECT e.to_stage FROM stage_event e WHERE e.deal_id = d.id ORDER BY e.id DESC LIMIT 1) AS last
            FROM deal d)
        WHERE last IS NULL OR stage != last
        ORDER BY id LIMIT 50
        """).fetchall()
