"""Real processes for the reliability tests: concurrent writers, a reader, and a naive writer for the
negative control. Run as `python tests/procs.py MODE DB ARGS…`; prints one JSON line of results.

- `writer DB N DEALS SEED`: N salesflow commands in this process (the CLI's own entry, a real SQLite
  connection each time): mostly `touch`, every fifth an `advance` back or forth with --force.
- `reader DB STOPFILE`: `funnel --by rep` in a loop until STOPFILE exists; records how long each took.
- `serial DB WORKDIR K N SEED`: worker K runs N random commands (set, touch, advance back and forth, win,
  lose, reopen, undo, a small import) on a few shared deals; each with its own `--now` minute, so every
  invocation's argv is unique. Prints the argv and exit code of each, for the serializability replay.
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


SERIAL_DEALS = 4
SERIAL_FIELDS = ("need", "budget", "decision_maker", "title", "amount", "source")


def serial_command(rng: random.Random, k: int, i: int, workdir: str) -> list[str]:
    """One random command of worker k; `i` makes its clock, its notes and its import file unique."""
    deal = str(rng.randint(1, SERIAL_DEALS))
    pick = rng.random()
    if pick < 0.25:
        n = rng.randint(1, 2)
        fields = rng.sample(SERIAL_FIELDS, n)
        values = {"amount": f"{rng.randint(1, 90)}万", "title": f"标题{k}-{i}"}
        return ["set", deal, *[f"{f}={values.get(f, f'{f}-{k}-{i}')}" for f in fields]]
    if pick < 0.45:
        return ["touch", deal, "--kind", rng.choice(["call", "visit", "quote", "meeting"]), "--note", f"w{k}-{i}"]
    if pick < 0.6:
        return ["advance", deal, rng.choice(["lead", "qualified", "proposal"]), "--force", "--reason", f"r{k}-{i}"]
    if pick < 0.67:
        return ["win", deal, "--force", "--reason", f"won{k}-{i}"]
    if pick < 0.75:
        return ["lose", deal, "--reason", rng.choice(["price", "competitor"])]
    if pick < 0.82:
        return ["reopen", deal, "--reason", f"back{k}-{i}"]
    if pick < 0.92:
        return ["undo"]
    path = os.path.join(workdir, f"in-{k}-{i}.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("编号,客户名称,阶段,金额,创建日期\n")
        for ext in rng.sample(["X1", "X2", "X3"], rng.randint(1, 2)):
            f.write(f"{ext},导入公司{ext},{rng.choice(['线索', '需求确认', '方案报价'])},{rng.randint(1, 50)}万,2026-10-01\n")
    return ["import", "deals", path]


def serial(db: str, workdir: str, k: int, n: int, seed: int) -> dict:
    rng = random.Random(seed * 1000 + k)
    done = []
    for i in range(n):
        now = f"2026-11-{10 + k:02d}T{9 + i // 60:02d}:{i % 60:02d}"
        args = ["--as", f"p{k}", "--now", now, *serial_command(rng, k, i, workdir)]  # the database: SALESFLOW_DB
        code, err = run_cli(args)
        done.append({"args": args, "code": code, "err": err.strip()[:300]})
    return {"done": done}


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
    elif mode == "serial":
        result = serial(db, rest[0], int(rest[1]), int(rest[2]), int(rest[3]))
    elif mode == "reader":
        result = reader(db, rest[0])
    else:
        result = naive(db, int(rest[0]))
    print(json.dumps(result))
