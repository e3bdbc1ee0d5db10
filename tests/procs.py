"""Real processes for the reliability tests: concurrent writers, a reader, and a naive writer for the
negative control. Run as `python tests/procs.py MODE DB ARGS…`; prints one JSON line of results.

- `writer DB N DEALS SEED`: N salesflow commands in this process (the CLI's own entry, a real SQLite
  connection each time): mostly `touch`, every fifth an `advance` back or forth with --force.
- `reader DB STOPFILE`: `funnel --by rep` in a loop until STOPFILE exists; records how long each took.
- `naive DB N`: the mistake salesflow avoids — a deferred transaction that reads, then writes, with
  no busy timeout. Under contention it fails with "database is locked".
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import time


def run_cli(args: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    from typer.main import get_command

    from salesflow.cli.app import app

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = get_command(app).main(args=args, prog_name="salesflow", standalone_mode=False)
    return code, err.getvalue()


def writer(db: str, n: int, deals: int, seed: int) -> dict:
    rng = random.Random(seed)
    ok = refused = 0
    errors: list[str] = []
    latencies: list[float] = []
    touches = advances = 0
    for i in range(n):
        deal = str(rng.randint(1, deals))
        if i % 5 == 4:
            stage = rng.choice(["lead", "qualified"])
            args = ["--db", db, "--as", f"w{seed}", "advance", deal, stage, "--force", "--reason", "race"]
        else:
            args = ["--db", db, "--as", f"w{seed}", "touch", deal, "--kind", "call", "--note", f"w{seed}-{i}"]
        start = time.perf_counter()
        code, err = run_cli(args)
        latencies.append(time.perf_counter() - start)
        if code == 0:
            ok += 1
            touches += args[4] == "touch"
            advances += args[4] == "advance"
        elif code == 1 and "locked" not in err and "busy" not in err:
            refused += 1  # e.g. the deal is already in that stage: the rules said no, correctly
        else:
            errors.append(err.strip()[:200])
    return {"ok": ok, "refused": refused, "errors": errors, "latencies": latencies, "touches": touches,
            "advances": advances}


def reader(db: str, stopfile: str) -> dict:
    durations: list[float] = []
    errors: list[str] = []
    while not durations or not os.path.exists(stopfile):
        start = time.perf_counter()
        code, err = run_cli(["--db", db, "funnel", "--by", "rep", "-f", "csv"])
        durations.append(time.perf_counter() - start)
        if code != 0:
            errors.append(err.strip()[:200])
    return {"runs": len(durations), "durations": durations, "errors": errors}


def naive(db: str, n: int) -> dict:
    errors: list[str] = []
    conn = sqlite3.connect(db, timeout=0, isolation_level="")  # deferred BEGIN, no busy timeout
    for i in range(n):
        try:
            count = conn.execute("SELECT COUNT(*) FROM touch").fetchone()[0]
            time.sleep(0.002)  # work between the read and the write, as real code does
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                         (f"naive-{os.getpid()}", str(count + i), str(count + i)))
            conn.commit()
        except sqlite3.OperationalError as exc:
            conn.rollback()
            errors.append(str(exc))
    return {"errors": errors}


if __name__ == "__main__":
    mode, db, *rest = sys.argv[1:]
    if mode == "writer":
        result = writer(db, int(rest[0]), int(rest[1]), int(rest[2]))
    elif mode == "reader":
        result = reader(db, rest[0])
    else:
        result = naive(db, int(rest[0]))
    print(json.dumps(result))
