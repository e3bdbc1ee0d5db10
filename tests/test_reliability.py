"""Reliability with real processes: concurrent writers, kills and signals during an import, file
permissions, doctor. Moderate sizes by default; the full sizes are marked slow (`pytest --runslow`,
which .ci/run also runs)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BACKEND, Cli, connect, drop_pg_database, new_pg_database
from salesflow.store.schema import NAMES

PROCS = Path(__file__).parent / "procs.py"
ROOT = Path(__file__).parent.parent


def env(db: Path | str, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SALESFLOW_")}
    return base | {"SALESFLOW_DB": str(db), "NO_COLOR": "1", "PYTHONPATH": str(ROOT)} | extra


def salesflow(db: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salesflow", *args], capture_output=True, text=True,
                          env=env(db, **kw.pop("extra", {})), **kw)


def integrity(db: Path | str) -> str:
    if isinstance(db, str):  # PostgreSQL keeps its own files whole; what salesflow can check, doctor does
        return "ok" if Cli(None, db).query("SELECT 1") == [(1,)] else "unreadable"
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def count(db: Path | str, sql: str) -> int:
    conn = connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path, request) -> Path | str:
    """Four leads in a new database: a file, or on PostgreSQL (SALESFLOW_TEST_PG) a new database there."""
    path = tmp_path / "sales.db"
    if BACKEND == "postgresql":
        path = new_pg_database(request.node.name)
        request.addfinalizer(lambda: drop_pg_database(path))
    assert salesflow(path, "init").returncode == 0
    for i in range(1, 5):
        assert salesflow(path, "lead", "add", f"客户{i}", "--contact", "张三", "--source", "expo",
                         "--phone", f"1380013800{i}").returncode == 0
    return path


# --- concurrency ---------------------------------------------------------------------------------------------

def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(PROCS), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env(args[1] if "://" in args[1] else Path(args[1])))


def results(procs: list[subprocess.Popen]) -> list[dict]:
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr[-2000:]
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def contend(db: Path | str, writers: int, calls: int, stop: Path) -> dict:
    before_touches = count(db, "SELECT COUNT(*) FROM touch")
    before_events = count(db, "SELECT COUNT(*) FROM stage_event")
    reader = spawn("reader", str(db), str(stop))
    procs = [spawn("writer", str(db), str(calls), "4", str(seed)) for seed in range(writers)]
    done = results(procs)
    stop.touch()
    read = results([reader])[0]
    errors = [e for r in done for e in r["errors"]]
    latencies = sorted(x for r in done for x in r["latencies"])
    return {
        "errors": errors, "read": read,
        "touches": sum(r["touches"] for r in done), "advances": sum(r["advances"] for r in done),
        "stored_touches": count(db, "SELECT COUNT(*) FROM touch") - before_touches,
        "stored_events": count(db, "SELECT COUNT(*) FROM stage_event") - before_events,
        "p99": latencies[int(len(latencies) * 0.99) - 1], "calls": len(latencies),
    }


def check_contention(db: Path | str, writers: int, calls: int, stop: Path) -> dict:
    got = contend(db, writers, calls, stop)
    assert got["errors"] == []                       # zero "database is locked", zero failures
    assert got["calls"] == writers * calls
    assert got["stored_touches"] == got["touches"] == writers * calls * 4 // 5   # no touch lost
    assert got["stored_events"] == got["advances"]   # every successful move left its event
    assert got["read"]["errors"] == [] and got["read"]["runs"] >= 1  # the reader ran alongside
    assert integrity(db) == "ok"
    # each deal's stage is where its last event put it
    assert salesflow(db, "doctor").returncode == 0
    print(f"\n{writers} writers x {calls}: p99 {got['p99'] * 1000:.0f} ms per command;"
          f" reader {got['read']['runs']} funnels, slowest {max(got['read']['durations']) * 1000:.0f} ms")
    return got


def test_concurrent_writers_lose_nothing(db, tmp_path):
    check_contention(db, writers=8, calls=10, stop=tmp_path / "stop-reading")


@pytest.mark.slow
def test_32_writers_times_50(db, tmp_path):
    check_contention(db, writers=32, calls=50, stop=tmp_path / "stop-reading")


@pytest.mark.sqlite_only  # SQLite's own lock, without salesflow's BEGIN IMMEDIATE
def test_negative_control_a_naive_writer_does_hit_locked(db):
    """The same contention with a deferred transaction and no busy timeout fails: the test above would
    see it (its `errors` list collects exactly these)."""
    procs = [spawn("naive", str(db), "40") for _ in range(6)]
    errors = [e for r in results(procs) for e in r["errors"]]
    assert any("locked" in e for e in errors)


# --- crash safety ----------------------------------------------------------------------------------------------

def big_csv(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / f"big-{rows}.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("编号,客户名称,联系人,电话,阶段,金额,创建日期\n")
        for i in range(rows):
            f.write(f"X{i},公司{i},联系人{i},1380{i:07d},{'线索' if i % 3 else '方案'},{i % 90 + 1}万,2026-0{i % 9 + 1}-1{i % 10}\n")
    return path


def start_import(db: Path | str, csv: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "salesflow", "import", "deals", str(csv)], env=env(db),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_started(proc: subprocess.Popen, db: Path | str) -> None:
    """Until the import holds the write lock (its WAL has grown; on PostgreSQL: its rows are being
    holding the advisory write lock), so the signal lands mid-import."""
    if isinstance(db, str):
        deadline = time.time() + 30
        while time.time() < deadline and proc.poll() is None:
            if count(db, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") > 0:
                time.sleep(0.3)  # the lock is held: give it rows to write
                return
            time.sleep(0.01)
        return
    wal = Path(f"{db}-wal")
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 256 * 1024:
            return
        time.sleep(0.01)


@pytest.mark.parametrize("sig, code, word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_and_sigterm_roll_back_with_one_line(db, tmp_path, sig, code, word):
    csv = big_csv(tmp_path, 40_000)
    before = count(db, "SELECT COUNT(*) FROM deal")
    proc = start_import(db, csv)
    wait_started(proc, db)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.strip().splitlines()[-1] == f"error: {word}; the command was rolled back"
    assert "Traceback" not in err
    assert count(db, "SELECT COUNT(*) FROM deal") == before
    assert integrity(db) == "ok"


def kill_during_import(db: Path | str, tmp_path: Path, rows: int, delays: list[float]) -> None:
    csv = big_csv(tmp_path, rows)
    before = count(db, "SELECT COUNT(*) FROM deal")
    for delay in delays:
        proc = start_import(db, csv)
        wait_started(proc, db)
        time.sleep(delay)
        proc.kill()
        proc.communicate(timeout=60)
        assert count(db, "SELECT COUNT(*) FROM deal") in (before, before + rows)  # none or all
        assert integrity(db) == "ok"
        assert salesflow(db, "doctor").returncode == 0


def test_sigkill_during_an_import_leaves_none_or_all(db, tmp_path):
    kill_during_import(db, tmp_path, 20_000, [0.0, 0.3, 0.8])


@pytest.mark.slow
def test_sigkill_during_a_large_import(db, tmp_path):
    kill_during_import(db, tmp_path, 200_000, [0.0, 1.0, 3.0, 6.0, 10.0])


# --- permissions ------------------------------------------------------------------------------------------------

def test_every_file_salesflow_creates_is_owner_only(tmp_path):
    os.umask(0o022)  # a permissive umask: salesflow must not rely on the user's
    db = tmp_path / "sales.db"
    rejects = tmp_path / "rejects.csv"
    bad = tmp_path / "in.csv"
    bad.write_text("客户名称,金额\n甲,很多\n乙,1万\n", encoding="utf-8")
    for args in (["init"], ["lead", "add", "甲公司", "--contact", "张三", "--source", "expo", "--phone", "13800138000"],
                 ["export", "deals", "-o", str(tmp_path / "deals.csv")],
                 ["due", "--all", "--ics", "-o", str(tmp_path / "due.ics")],
                 ["report", "weekly", "-o", str(tmp_path / "weekly.md")],
                 ["import", "deals", str(bad), "--preset", "excel-zh", "--rejects", str(rejects)]):
        done = salesflow(db, *args)
        assert done.returncode == 0, done.stderr
    # a database from the first release, migrated: its backup is owner-only too
    old = tmp_path / "old.db"
    old.write_bytes((Path(__file__).parent / "fixtures" / "first-release.db").read_bytes())
    os.chmod(old, 0o600)
    assert salesflow(old, "deals").returncode == 0
    # -wal and -shm exist while salesflow has the database open: look during an import
    proc = start_import(db, big_csv(tmp_path / "..", 20_000))
    wait_started(proc, db)
    live = {p.name: p.stat().st_mode & 0o777 for p in (Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()}
    proc.communicate(timeout=120)
    assert set(live) == {"sales.db-wal", "sales.db-shm"} and all(mode == 0o600 for mode in live.values())
    created = [p for p in tmp_path.iterdir() if p.name not in ("in.csv",)]
    assert {p.name for p in created} >= {"sales.db", "deals.csv", "due.ics", "weekly.md", "rejects.csv",
                                         f"old.db.m001_initial-to-{NAMES[-1]}.bak"}
    loose = {p.name: oct(p.stat().st_mode & 0o777) for p in created if p.stat().st_mode & 0o077}
    assert loose == {}


# --- doctor --------------------------------------------------------------------------------------------------------

@pytest.mark.sqlite_only  # damages the SQLite file
def test_doctor_finds_each_problem(db):
    healthy = salesflow(db, "doctor", "-f", "csv")
    assert healthy.returncode == 0, healthy.stdout
    assert all(line.split(",")[1] == "ok" for line in healthy.stdout.splitlines()[1:])

    def fix(sql: str) -> None:
        conn = sqlite3.connect(db)
        conn.execute(sql)
        conn.commit()
        conn.close()

    def breaks(sql: str, *checks: str) -> None:
        fix(sql)
        done = salesflow(db, "doctor", "-f", "csv")
        assert done.returncode == 1
        assert [line.split(",")[0] for line in done.stdout.splitlines()[1:] if ",problem," in line] == list(checks)

    breaks("UPDATE deal SET progressed_at = '2026-01-01T00:00:00' WHERE id = 1", "progressed_at")
    fix("UPDATE deal SET progressed_at = NULL WHERE id = 1")
    # a deal changed behind salesflow's back: its derived facts (which carry its stage) no longer match either
    breaks("UPDATE deal SET stage = 'proposal' WHERE id = 2", "stages vs events", "derived facts")
    fix("UPDATE deal SET stage = 'lead' WHERE id = 2")
    breaks("UPDATE deal_fact SET reached = 3 WHERE deal_id = 1", "derived facts")
    fix("UPDATE deal_fact SET reached = 0 WHERE deal_id = 1")
    breaks("INSERT INTO touch (deal_id, kind, at, by) VALUES (99, 'call', '2026-01-01T00:00:00', 'x')", "orphan rows")
    fix("DELETE FROM touch WHERE deal_id = 99")
    os.chmod(db, 0o644)
    done = salesflow(db, "doctor", "-f", "csv")
    assert done.returncode == 1
    assert 'permissions,problem,"readable by others: sales.db 0o644' in done.stdout, done.stdout


def test_network_filesystem_is_detected(tmp_path):
    from salesflow.store.db import network_filesystem

    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/export {tmp_path} nfs4 rw 0 0\n", encoding="utf-8")
    assert network_filesystem(tmp_path / "sales.db", mounts) == "nfs4"
    mounts.write_text(f"server:/export {tmp_path}/other nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n", encoding="utf-8")
    assert network_filesystem(tmp_path / "sales.db", mounts) is None


# --- waiting for the write lock ----------------------------------------------------------------------------------

def hold_write_lock(db: Path | str) -> sqlite3.Connection:
    conn = connect(db) if isinstance(db, str) else sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # on PostgreSQL: the same write lock every command takes
    return conn


@pytest.mark.sqlite_only  # holds SQLite's lock from outside
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_the_wait_for_the_lock_at_once(db, sig, code):
    holder = hold_write_lock(db)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "salesflow", "touch", "1", "--kind", "call"], env=env(db),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)  # started, and waiting for the lock (the busy timeout is 15 s)
        assert proc.poll() is None
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == code, err
    assert took < 2, f"the signal took {took:.1f} s to end the wait"
    assert err.strip().splitlines()[-1].endswith("; the command was rolled back")
    assert count(db, "SELECT COUNT(*) FROM touch") == 0


@pytest.mark.sqlite_only  # holds SQLite's lock from outside
@pytest.mark.slow
def test_a_lock_held_past_the_timeout_is_named(db):
    holder = hold_write_lock(db)
    try:
        done = salesflow(db, "touch", "1", "--kind", "call", timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 1
    assert done.stderr.startswith("error: the database stayed locked by another process for 15 s; nothing was written")
    assert count(db, "SELECT COUNT(*) FROM touch") == 0


def test_imports_queued_behind_another_writer_both_succeed(db, tmp_path):
    """They used to read the next free ids before waiting for the lock, so the second one collided
    ("UNIQUE constraint failed: customer.id")."""
    files = []
    for k in range(2):
        path = tmp_path / f"queued-{k}.csv"
        path.write_text("编号,客户名称,阶段,金额\n" + "".join(f"Q{k}-{i},队列公司{k}-{i},线索,1万\n" for i in range(50)),
                        encoding="utf-8")
        files.append(path)
    holder = hold_write_lock(db)
    try:
        procs = [start_import(db, path) for path in files]
        time.sleep(1.5)  # both have read the file and wait for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert count(db, "SELECT COUNT(*) FROM deal WHERE external_id LIKE 'Q%'") == 100
    assert salesflow(db, "doctor").returncode == 0


@pytest.mark.sqlite_only  # holds SQLite's lock from outside
def test_a_signal_ends_the_wait_on_an_exclusive_lock_too(db):
    """Another tool holding the file in EXCLUSIVE locking mode blocks even the first read of the schema."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("SELECT COUNT(*) FROM deal").fetchone()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "salesflow", "deals"], env=env(db),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert proc.poll() is None
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 143, err
    assert took < 2, f"the signal took {took:.1f} s to end the wait"
