"""Every command is serializable (the integrity guarantee), shown with real processes.

N worker processes run random commands (set of random fields, touch, advance back and forth, win, lose,
reopen, undo, small imports) on a few shared deals at once. Afterwards the database must equal what
replaying exactly the commands that exited 0, one after another in their commit order (the `command`
table), gives on a copy of the starting database: every field, event, touch, change-log and command row.
A command that exited non-zero must have changed nothing, so it is not replayed. Each invocation has
its own `--now` minute, which makes its argv (stored in `command.args`) unique and so findable.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from salesflow.store import facts

from conftest import BACKEND, Cli, connect, drop_pg_database, new_pg_database, pg_admin
from procs import SERIAL_DEALS, run_cli
from test_reliability import results, salesflow, spawn


def snapshot(db: Path | str, to: Path | str) -> None:
    if isinstance(db, str):  # PostgreSQL: a new database from the other as its template
        from psycopg.conninfo import conninfo_to_dict

        with pg_admin() as admin:
            admin.execute(f'CREATE DATABASE "{conninfo_to_dict(to)["dbname"]}" TEMPLATE "{conninfo_to_dict(db)["dbname"]}"')
        return
    src, dst = sqlite3.connect(db), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def dump(db: Path | str) -> list[str]:
    if isinstance(db, str):
        return Cli(None, db).dump().splitlines()
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def scratch(tmp_path: Path, name: str, request) -> Path | str:
    """A new database's place: a file, or on PostgreSQL a URL (created by snapshot, dropped afterwards)."""
    if BACKEND == "sqlite":
        return tmp_path / f"{name}.db"
    url = new_pg_database(name)
    drop_pg_database(url)  # snapshot creates it from its template
    request.addfinalizer(lambda: drop_pg_database(url))
    return url


@pytest.fixture
def start(tmp_path, request) -> Path | str:
    db = tmp_path / "sales.db"
    if BACKEND == "postgresql":
        db = new_pg_database("serial")
        request.addfinalizer(lambda: drop_pg_database(db))
    for args in (["init"], ["rep", "add", "wang", "--name", "王伟"], ["rep", "add", "zhao", "--name", "赵磊"]):
        assert salesflow(db, *args, extra={"SALESFLOW_NOW": "2026-11-01T08:00"}).returncode == 0
    for i in range(1, SERIAL_DEALS + 1):
        done = salesflow(db, "lead", "add", f"客户{i}", "--contact", "张三", "--source", "expo", "--phone",
                         f"1380013800{i}", "--owner", "wang" if i % 2 else "zhao",
                         extra={"SALESFLOW_NOW": "2026-11-01T08:00"})
        assert done.returncode == 0, done.stderr
    return db


def run_and_replay(start: Path | str, tmp_path: Path, request, monkeypatch, workers: int, calls: int, seed: int) -> dict:
    before = scratch(tmp_path, "before", request)
    snapshot(start, before)
    work = tmp_path / "work"
    work.mkdir()
    procs = [spawn("serial", str(start), str(work), str(k), str(calls), str(seed)) for k in range(workers)]
    invocations = [d for r in results(procs) for d in r["done"]]
    assert not [d["err"] for d in invocations if "Traceback" in d["err"] or "internal error" in d["err"]]
    assert not [d["err"] for d in invocations if "locked" in d["err"] or "busy" in d["err"]]
    by_argv = {" ".join(d["args"]): d for d in invocations}
    assert len(by_argv) == len(invocations)  # each argv unique, so each command row names one invocation

    conn = connect(start)
    committed = [args for (args,) in conn.execute("SELECT args FROM command WHERE id > "
                                                  "(SELECT MAX(id) FROM command WHERE args NOT LIKE '--as p%') "
                                                  "ORDER BY id")]
    conn.close()
    for args in committed:
        assert by_argv[args]["code"] == 0, f"a command that failed left a row: {by_argv[args]}"

    replay = scratch(tmp_path, "replay", request)
    snapshot(before, replay)
    monkeypatch.setenv("SALESFLOW_DB", str(replay))
    for name in ("SALESFLOW_NOW", "SALESFLOW_REP"):
        monkeypatch.delenv(name, raising=False)
    for args in committed:
        code, err = run_cli(by_argv[args]["args"])
        assert code == 0, f"replaying {args!r} failed: {err}"
    assert dump(start) == dump(replay)
    conn = connect(start)
    try:  # the derived facts the racing commands kept equal a rebuild from what they wrote
        assert facts.differences(conn) == {"deal_fact": [], "stage_days": []}
    finally:
        conn.close()
    return {"invocations": len(invocations), "committed": len(committed),
            "failed": sum(d["code"] != 0 for d in invocations)}


def test_concurrent_commands_equal_their_serial_replay(start, tmp_path, request, monkeypatch):
    got = run_and_replay(start, tmp_path, request, monkeypatch, workers=8, calls=12, seed=1)
    assert got["committed"] >= 40  # enough commands really raced (many touch the same four deals)


@pytest.mark.slow
def test_concurrent_commands_equal_their_serial_replay_large(start, tmp_path, request, monkeypatch):
    got = run_and_replay(start, tmp_path, request, monkeypatch, workers=12, calls=60, seed=2)
    assert got["committed"] >= 400
