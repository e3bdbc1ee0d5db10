"""Migrations: a first-release database is backed up next to itself, then migrated; nothing is lost.

tests/fixtures/first-release.db was written by salesflow 0.1.0 (schema m001_initial only): two reps,
two leads (one moved to qualified with process fields, one lost), a touch and a November target.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from salesflow.store.schema import NAMES

FIXTURE = Path(__file__).parent / "fixtures" / "first-release.db"


def connect(path: Path) -> sqlite3.Connection:
    """Read-only and immutable: reading the fixture must not leave -wal/-shm files in the repository."""
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True)


def dump(path: Path, skip=("_sqlite_migrations",)) -> list[str]:
    conn = connect(path) if path == FIXTURE else sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if not any(t in line for t in skip)]
    finally:
        conn.close()


@pytest.fixture
def old(cli, tmp_path):
    shutil.copy(FIXTURE, tmp_path / "sales.db")
    cli.db = tmp_path / "sales.db"
    return cli


def test_the_fixture_is_a_first_release_database():
    conn = connect(FIXTURE)
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")] == ["m001_initial"]
    assert NAMES[0] == "m001_initial" and len(NAMES) > 1  # so the tests below really migrate


def test_first_command_backs_up_then_migrates(old):
    before = dump(old.db)
    run = old.ok("deals", "--status", "all", "-f", "csv")
    assert [line.split(",")[2] for line in run.out.splitlines()[1:]] == ["华为技术有限公司", "ACME Robotics"]
    backup = old.db.with_name(f"sales.db.m001_initial-to-{NAMES[-1]}.bak")
    assert backup.exists()
    assert backup.stat().st_mode & 0o777 == 0o600
    assert dump(backup, skip=()) == dump(FIXTURE, skip=())  # the backup is the old database, whole
    conn = sqlite3.connect(old.db)
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == NAMES
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every row of the old database is still there (a later migration may append columns to old rows)
    migrated = dump(old.db)

    def kept(line: str) -> bool:
        values = line.removesuffix(");")
        return any(m == line or m.startswith(values + ",") for m in migrated)

    assert [line for line in before if line.startswith("INSERT") and not kept(line)] == []
    assert sum(line.startswith('INSERT INTO "deal"') for line in before) == 2
    # a second command migrates nothing and writes no second backup
    backup.unlink()
    old.ok("due", "--as", "wang")
    assert not backup.exists()


def test_the_migrated_database_works_and_has_its_views(old):
    old.ok("touch", "1", "--kind", "visit", "--note", "迁移后的拜访")
    conn = sqlite3.connect(old.db)
    assert conn.execute("SELECT deal_id, customer, owner, stage FROM open_deals").fetchall() == [
        (1, "华为技术有限公司", "wang", "qualified")]
    assert conn.execute("SELECT deal_id, stage, next_stage, stage_kind FROM stage_intervals ORDER BY deal_id, entered_at"
                        ).fetchall() == [(1, "lead", "qualified", "open"), (1, "qualified", None, "open"),
                                         (2, "lead", "lost", "open"), (2, "lost", None, "lost")]
