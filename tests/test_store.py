"""The database file: schema from migrations, owner-only files, refusing files that are not ours."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import connect

from salesflow.store.schema import NAMES


@pytest.mark.sqlite_only  # the SQLite file itself
def test_init_builds_the_schema_with_wal_and_owner_only_permissions(cli):
    cli.ok("init")
    assert stat.S_IMODE(cli.db.stat().st_mode) == 0o600
    assert cli.query("PRAGMA journal_mode") == [("wal",)]
    assert cli.query("SELECT name FROM _sqlite_migrations WHERE migration_set = 'salesflow'") == [(n,) for n in NAMES]
    tables = {r[0] for r in cli.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"deal", "touch", "stage_event", "change_log", "command", "rep", "customer", "contact", "pipeline",
            "stage", "meta"} <= tables
    strict = cli.query("SELECT name FROM pragma_table_list WHERE strict = 1")
    assert {"deal", "touch", "stage_event", "change_log"} <= {r[0] for r in strict}
    for sidecar in cli.db.parent.glob("sales.db-*"):
        assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600


def test_constraints_guard_money_and_statuses(team):
    from salesflow.store.db import violates_a_constraint

    conn = connect(team.db)
    # 1.5 for money: STRICT refuses it on SQLite; PostgreSQL's BIGINT column would round it (an assignment
    # cast), so there it is the store's code that only ever writes whole minor units
    for values in ("'open', -1", "'pending', 1") + (("'open', 1.5",) if isinstance(team.db, Path) else ()):
        with pytest.raises(Exception) as refused:
            conn.execute("INSERT INTO deal (title, pipeline, stage, status, amount, created_at, stage_entered_at)"
                         f" VALUES ('x', 'standard', 'lead', {values}, 't', 't')")
        assert violates_a_constraint(refused.value), values
    conn.close()


def test_init_twice_is_refused_and_another_template_is_added(cli):
    cli.ok("init")
    assert "already initialised" in cli.fails(1, "init").err
    assert "added pipeline saas" in cli.ok("init", "--template", "saas").err
    assert "no template" in cli.fails(1, "init", "--template", "retail").err


@pytest.mark.sqlite_only  # the SQLite file itself
def test_a_file_that_is_not_sqlite_is_refused_and_left_byte_identical(cli):
    cli.db.write_bytes(b"these are my notes, not a database\n" * 100)
    before = cli.db.read_bytes()
    run = cli.fails(1, "deals")
    assert "is not a salesflow database" in run.err
    assert cli.db.read_bytes() == before
    assert not cli.db.with_name("sales.db-wal").exists()


@pytest.mark.sqlite_only  # the SQLite file itself
def test_another_apps_database_is_refused_and_left_byte_identical(cli):
    conn = sqlite3.connect(cli.db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = cli.db.read_bytes()
    assert "is not a salesflow database" in cli.fails(1, "init").err
    assert "is not a salesflow database" in cli.fails(1, "deals").err
    assert cli.db.read_bytes() == before


@pytest.mark.sqlite_only  # the SQLite file itself
def test_a_database_from_a_newer_salesflow_is_refused_and_left_byte_identical(cli):
    cli.ok("init")
    conn = sqlite3.connect(cli.db)
    conn.execute("PRAGMA journal_mode = DELETE")  # fold the WAL in so the main file is the whole state
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('salesflow', 'm999_future', 'x')")
    conn.commit()
    conn.close()
    before = cli.db.read_bytes()
    run = cli.fails(1, "deals")
    assert run.err.splitlines()[0] == f"error: {cli.db} was written by a newer salesflow (schema m999_future)"
    assert cli.db.read_bytes() == before
    assert not cli.db.with_name("sales.db-wal").exists()


@pytest.mark.sqlite_only  # the SQLite file itself
def test_reads_do_not_load_sqlite_utils(team):
    import subprocess
    import sys

    code = ("import sys; from salesflow.store.db import open_db; from pathlib import Path; "
            f"open_db(Path({str(team.db)!r})).close(); print('sqlite_utils' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
