"""Every user-facing command on a large database against its floor, plus start-up and Taskwarrior.

    python benchmarks/run.py                          # 1,000,000 deals (benchmarks/out/1000000.db, built once)
    python benchmarks/run.py --deals 10000 --runs 1   # a quick run (the test suite's smoke test)
    python benchmarks/run.py --only funnel            # some commands only

For each command: the median (and best) wall time of the real `salesflow` over several runs, its peak
memory, and beside it the floor — the best SQL I could write for the same answer, run by a bare
`python -c` with the stdlib sqlite3 module — and the ratio. Writes the table as csv too (--csv).
A one-scan reference row: a scratch SQLite file with one narrow table (owner, stage, amount) holding as
many rows as the database has deals, and `SELECT owner, stage, count(*), sum(amount) … GROUP BY owner,
stage` on it by bare python+sqlite3 — what one GROUP BY pass costs, independent of our schema; every
report's ratio to it is printed after the table (issue #17's yardstick) and written as `ratio_one_scan`.
Taskwarrior (`task next`, `task overdue` on 10,000 pending tasks with due dates) runs in the same
session when it is installed (Debian: apt-get install taskwarrior). Targets (issue #8): reads within
3x their floor, start-up within 4x of `python -c "import sqlite3"`, `due` on 1M deals faster than
`task next` on 10,000 tasks, memory flat in the number of rows for exports.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HEADER, NOW, OUT, Timing, build, floor_cmd, measure, row, salesflow, summarise, timed  # noqa: E402

from analytics import FUNNEL, HEALTH, STUCK, SUMMARY  # noqa: E402

NOW_ISO = NOW + ":00"
DEAL_LIST = """
SELECT d.id, d.title, COALESCE(c.name, ''), d.owner, d.stage, d.status, d.amount, d.close_date,
       COALESCE(c.grade, 'B'), d.next_followup
FROM deal d LEFT JOIN customer c ON c.id = d.customer_id LEFT JOIN contact ct ON ct.id = d.contact_id
WHERE d.owner = :rep AND d.status = 'open' ORDER BY d.id
"""
SHOW = [
    "SELECT d.*, c.name, c.grade, ct.name, ct.phone FROM deal d LEFT JOIN customer c ON c.id = d.customer_id"
    " LEFT JOIN contact ct ON ct.id = d.contact_id WHERE d.id = :deal",
    "SELECT * FROM touch WHERE deal_id = :deal ORDER BY at",
    "SELECT * FROM stage_event WHERE deal_id = :deal ORDER BY at",
]
FORECAST = [
    """SELECT d.id, d.status, MAX(s.position) FROM deal d JOIN stage_event e ON e.deal_id = d.id
       JOIN stage s ON s.pipeline = d.pipeline AND s.key = e.to_stage AND s.kind = 'open'
       WHERE d.status != 'open' AND d.closed_at >= :since GROUP BY d.id""",
    "SELECT substr(close_date, 1, 7), stage, COUNT(*), SUM(amount) FROM deal WHERE status = 'open' GROUP BY 1, 2",
]
FORECAST_BY_REP = FORECAST[:1] + [
    "SELECT substr(close_date, 1, 7), owner, stage, COUNT(*), SUM(amount) FROM deal WHERE status = 'open' GROUP BY 1, 2, 3"]
SILENT = """
WITH candidates AS (
    SELECT DISTINCT customer_id AS id FROM deal
    WHERE customer_id IS NOT NULL AND (status = 'open' OR (status = 'lost' AND closed_at <= :cut))),
last AS (
    SELECT d.customer_id AS id, MAX(t.at) AS last_touch FROM deal d JOIN touch t ON t.deal_id = d.id
    JOIN candidates c ON c.id = d.customer_id GROUP BY d.customer_id),
deals AS (
    SELECT customer_id AS id, MIN(created_at) AS first_deal, SUM(status = 'open') AS open_deals
    FROM deal WHERE customer_id IN (SELECT id FROM candidates) GROUP BY customer_id)
SELECT c.id, c.name, c.grade, l.last_touch, d.first_deal, d.open_deals,
       (SELECT x.owner FROM deal x WHERE x.customer_id = c.id
         ORDER BY x.status = 'open' DESC, x.created_at DESC, x.id DESC LIMIT 1)
FROM customer c JOIN deals d ON d.id = c.id LEFT JOIN last l ON l.id = c.id
WHERE COALESCE(l.last_touch, d.first_deal) < :cut
"""  # the same answer as `silent` (customers, not deals), written with GROUP BYs instead of per-customer lookups
REVIEW = [
    "SELECT lost_reason, COUNT(*), SUM(amount) FROM deal WHERE status = 'lost' AND closed_at >= :start AND closed_at < :end GROUP BY 1",
    """SELECT owner, source, status, COUNT(*), SUM(amount), AVG(julianday(closed_at) - julianday(created_at))
       FROM deal WHERE closed_at >= :start AND closed_at < :end GROUP BY 1, 2, 3""",
    """SELECT d.status, t.kind, COUNT(*) FROM deal d JOIN touch t ON t.deal_id = d.id
       WHERE d.closed_at >= :start AND d.closed_at < :end GROUP BY 1, 2""",
]
EXPORT = """
SELECT d.id, d.external_id, d.title, COALESCE(c.name, ''), ct.name, ct.phone, ct.email, d.owner, d.pipeline,
       d.stage, d.status, d.amount, d.close_date, d.source, COALESCE(c.grade, 'B'), d.created_at, d.closed_at,
       d.lost_reason, d.next_followup, d.fields
FROM deal d LEFT JOIN customer c ON c.id = d.customer_id LEFT JOIN contact ct ON ct.id = d.contact_id ORDER BY d.id
"""
TOUCH = [
    "BEGIN IMMEDIATE",
    "INSERT INTO touch (deal_id, kind, at, by, notes) VALUES (:deal, 'call', :now, 'bench', 'floor')",
    "UPDATE deal SET next_followup = NULL WHERE id = :deal AND next_followup <= :now",
    "ROLLBACK",  # thrown away too: a raw touch kept would leave the deal's derived facts stale (doctor)
]
ADVANCE = [
    "BEGIN IMMEDIATE",
    "INSERT INTO command (name, args, at, by) VALUES ('advance', '', :now, 'bench')",
    "UPDATE deal SET stage = stage, stage_entered_at = :now WHERE id = :deal",
    "INSERT INTO stage_event (deal_id, from_stage, to_stage, at, by) SELECT id, stage, stage, :now, 'bench' FROM deal WHERE id = :deal",
    "INSERT INTO change_log (command_id, entity, entity_id, op, field, at, by) VALUES (last_insert_rowid(), 'deal', :deal, 'update', 'stage', :now, 'bench')",
    "ROLLBACK",  # the floor's write is thrown away: the benchmark database stays as built
]
IMPORT_FLOOR = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
with open(sys.argv[2], encoding="utf-8", newline="") as f:
    rows = csv.reader(f)
    next(rows)
    conn.executemany("INSERT INTO deal (id, external_id, title, owner, pipeline, stage, status, amount, close_date,"
                     " source, created_at, stage_entered_at, closed_at, lost_reason, fields)"
                     " VALUES (?, ?, ?, NULL, 'standard', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     ((r[0], r[1] or None, r[2], r[9], r[10], int(r[11].replace('.', '')), r[12] or None, r[13] or None,
                       r[15], r[16] or r[15], r[16] or None, r[17] or None, r[19]) for r in rows))
conn.execute("COMMIT")
"""

# What SQLite alone needs to write what an import wrote, with no Python per row: every row the import
# created (reps, customers, contacts, deals, stage events, its change log) copied by INSERT … SELECT from the
# imported database into an empty one, secondary indexes dropped before and built after, ANALYZE, one
# transaction. An import cannot be faster than this on this machine, whatever its Python does.
WRITES_FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = -131072")
conn.execute("ATTACH ? AS src", (sys.argv[2],))
conn.execute("BEGIN IMMEDIATE")
tables = ("rep", "command", "customer", "contact", "deal", "stage_event", "change_log")
indexes = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN"
                       " ('deal', 'stage_event', 'customer', 'contact', 'change_log')").fetchall()
for name, _ in indexes:
    conn.execute(f'DROP INDEX main."{name}"')
for table in tables:
    conn.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
for _, sql in indexes:
    conn.execute(sql)
conn.execute("PRAGMA analysis_limit = 1000")
conn.execute("ANALYZE main")
conn.execute("COMMIT")
"""


def taskwarrior(tasks: int, runs: int) -> list[tuple[str, Timing]]:
    """`task next` and `task overdue` on `tasks` pending tasks with due dates (a third of them overdue)."""
    if shutil.which("task") is None:
        return []
    home = Path(tempfile.mkdtemp(prefix="salesflow-taskwarrior-"))
    rc = home / "taskrc"
    rc.write_text(f"data.location={home / 'data'}\nconfirmation=off\nverbose=nothing\nnews.version=2.6.2\n",
                  encoding="utf-8")
    base = datetime.fromisoformat(NOW)
    batch = [{"description": f"follow up customer {i}", "status": "pending", "entry": "20260101T000000Z",
              "due": (base + timedelta(days=i % 90 - 30)).strftime("%Y%m%dT%H%M%SZ"),
              "project": f"rep{i % 50}"} for i in range(tasks)]
    (home / "tasks.json").write_text("\n".join(json.dumps(t) for t in batch), encoding="utf-8")
    env = {"TASKRC": str(rc)}
    subprocess.run(["task", "import", str(home / "tasks.json")], env=dict(os.environ, **env), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return [(f"task next ({tasks:,} tasks)", timed(["task", "next"], runs, env)),
                (f"task overdue ({tasks:,} tasks)", timed(["task", "overdue"], runs, env))]
    finally:
        shutil.rmtree(home, ignore_errors=True)


ONE_SCAN_BUILD = """
import sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(dst, isolation_level=None)
conn.execute("DROP TABLE IF EXISTS t")
conn.execute("CREATE TABLE t (owner TEXT, stage TEXT, amount INTEGER)")
conn.execute("ATTACH DATABASE ? AS src", (src,))
conn.execute("INSERT INTO t SELECT owner, stage, amount FROM src.deal")
conn.execute("DETACH DATABASE src")
"""
ONE_SCAN = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
for _ in conn.execute("SELECT owner, stage, count(*), sum(amount) FROM t GROUP BY owner, stage"):
    pass
"""  # what one GROUP BY pass over as many rows as the database has deals costs, whatever our schema


OPEN_HEAVY = """
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
OPEN = ("lead", "qualified", "proposal", "negotiation")
with open(src, encoding="utf-8", newline="") as f, open(dst, "w", encoding="utf-8", newline="") as g:
    rows, out = csv.DictReader(f), None
    for r in rows:
        if out is None:
            out = csv.DictWriter(g, rows.fieldnames)
            out.writeheader()
        if int(r["deal_id"]) % 10 < 6 and r["status"] != "open":  # 60% of deals open, in a plausible stage
            r["status"], r["closed_at"], r["lost_reason"] = "open", "", ""
            r["stage"] = r["stage"] if r["stage"] in OPEN else OPEN[int(r["deal_id"]) % 4]
        out.writerow(r)
"""


def open_heavy(generated: Path, sf: list[str]) -> Path:
    """The generated database's deals and touches through `import deals` and `import touches` into a new
    file, with 60% of the deals open (built once, beside the generated one)."""
    target = generated.with_name(generated.stem + "-open-heavy.db")
    if target.exists():
        print(f"reusing {target}")
        return target
    env = dict(os.environ, SALESFLOW_NOW=NOW, SALESFLOW_REP="bench")
    deals, touches, opened = (generated.with_name(f"{generated.stem}-{n}.csv") for n in ("deals", "touches", "open"))
    subprocess.run([*sf, "--db", str(generated), "export", "deals", "-o", str(deals)], env=env, check=True)
    subprocess.run([*sf, "--db", str(generated), "export", "touches", "-o", str(touches)], env=env, check=True)
    subprocess.run([sys.executable, "-c", OPEN_HEAVY, str(deals), str(opened)], check=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    start = time.perf_counter()
    for step in (["init"], ["import", "deals", str(opened), "--create-reps"], ["import", "touches", str(touches)]):
        subprocess.run([*sf, "--db", str(partial), *step], env=env, check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(partial) as conn:  # the WAL folded in: only the main file is renamed
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(partial, target)
    for scratch in (deals, touches, opened):
        scratch.unlink(missing_ok=True)
    print(f"built {target} through import in {time.perf_counter() - start:.0f} s")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (after one warm-up)")
    parser.add_argument("--only", help="run only the commands whose name contains this")
    parser.add_argument("--db", type=Path, help="database to use (built there if missing)")
    parser.add_argument("--csv", type=Path, help="also write the table here (default: benchmarks/out/run-DEALS.csv)")
    parser.add_argument("--tasks", type=int, default=10_000, help="Taskwarrior tasks (0 = skip Taskwarrior)")
    parser.add_argument("--pg", metavar="URL",
                        help="run salesflow against this PostgreSQL database instead (the benchmark's SQLite database"
                             " copied there with `salesflow copy` when it is empty); floors stay bare sqlite3 on the file")
    parser.add_argument("--shape", choices=("generated", "open-heavy"), default="generated",
                        help="generated: the demo generator's history (about 4%% of deals open); open-heavy: the same"
                             " deals and touches taken through `import deals` / `import touches` with 60%% left open,"
                             " as a real CRM export often is")
    args = parser.parse_args()
    db = args.db or OUT / f"{args.deals}.db"
    build(db, args.deals)
    if args.shape == "open-heavy":
        db = open_heavy(db, salesflow())
    sf = salesflow()
    env = {"SALESFLOW_DB": str(db), "SALESFLOW_NOW": NOW, "SALESFLOW_REP": "bench"}
    subprocess.run([*sf, "doctor"], env=dict(os.environ, **env), stdout=subprocess.DEVNULL)  # migrate once, untimed
    if args.pg:  # the same rows on PostgreSQL; every salesflow command below reads and writes there
        copied = subprocess.run([*sf, "copy", str(db), args.pg], env=dict(os.environ, **env), capture_output=True, text=True)
        if copied.returncode and "not empty" not in copied.stderr:
            sys.exit(f"copy to PostgreSQL failed: {copied.stderr.strip()}")
        env["SALESFLOW_DB"] = args.pg
        print("PostgreSQL: " + ("copied the benchmark database" if not copied.returncode else "its rows were there already"))

    conn = sqlite3.connect(db)
    owners = [r[0] for r in conn.execute("SELECT owner FROM deal WHERE status = 'open' AND owner IS NOT NULL "
                                         "GROUP BY owner ORDER BY COUNT(*), owner")]
    rep = owners[len(owners) // 2]
    deal = conn.execute("SELECT id FROM deal WHERE owner = ? AND status = 'open' AND stage = 'lead' ORDER BY id LIMIT 1",
                        (rep,)).fetchone()[0]
    totals = conn.execute("SELECT (SELECT COUNT(*) FROM deal), (SELECT COUNT(*) FROM touch),"
                          " (SELECT COUNT(*) FROM stage_event)").fetchone()
    conn.close()
    from salesflow.store.due import DueScope, due_query

    due_one, due_all = due_query(DueScope(owners=(rep,)), NOW + ":00"), due_query(DueScope(unassigned=True, escalations=True), NOW + ":00")
    p = {"now": NOW_ISO, "rep": rep, "deal": deal, "since": "2025-11-23", "cut": "2026-10-24T08:30:00",
         "start": "2026-10-01", "end": "2026-11-01"}
    one = lambda sql: [{"sql": sql, "params": p}]  # noqa: E731
    many = lambda sqls: [{"sql": s, "params": p} for s in sqls]  # noqa: E731
    reads = [
        (f"due --as {rep}", ["due", "--as", rep, "-f", "csv"], [{"sql": due_one[0], "params": due_one[1]}]),
        ("due --all --check", ["due", "--all", "--check", "-f", "csv"], [{"sql": due_all[0], "params": due_all[1]}]),
        (f"deals --rep {rep}", ["deals", "--rep", rep, "-f", "csv"], one(DEAL_LIST)),
        (f"show {deal}", ["show", str(deal)], many(SHOW)),
        ("funnel", ["funnel", "-f", "csv"], one(FUNNEL)),
        ("funnel --by rep", ["funnel", "--by", "rep", "-f", "csv"], one(FUNNEL)),
        ("funnel --by source", ["funnel", "--by", "source", "-f", "csv"], None),
        ("funnel --by grade", ["funnel", "--by", "grade", "-f", "csv"], None),
        ("funnel --by month", ["funnel", "--by", "month", "-f", "csv"], None),
        ("funnel --by team", ["funnel", "--by", "team", "-f", "csv"], None),
        ("funnel --summary --by rep", ["funnel", "--summary", "--by", "rep", "-f", "csv"], one(SUMMARY)),
        ("stuck", ["stuck", "-f", "csv"], one(STUCK)),
        ("health", ["health", "-f", "csv"], one(HEALTH)),
        ("forecast", ["forecast", "-f", "csv"], many(FORECAST)),
        ("forecast --by rep", ["forecast", "--by", "rep", "-f", "csv"], many(FORECAST_BY_REP)),
        ("forecast --stages", ["forecast", "--stages", "-f", "csv"], many(FORECAST[:1])),
        ("silent", ["silent", "-f", "csv"], one(SILENT)),
        ("review", ["review", "--period", "2026-10", "-f", "json"], many(REVIEW)),
        ("report weekly", ["report", "weekly", "-f", "markdown"], None),
        ("export deals -f csv", ["export", "deals", "-f", "csv"], one(EXPORT)),
    ]
    results: list[tuple[str, Timing, Timing | None]] = []
    scan_db = db.parent / f"onescan-{args.deals}.db"
    subprocess.run([sys.executable, "-c", ONE_SCAN_BUILD, str(db), str(scan_db)], check=True)
    one_scan = timed([sys.executable, "-c", ONE_SCAN, str(scan_db)], args.runs)
    print(f"{totals[0]:,} deals, {totals[1]:,} touches, {totals[2]:,} stage events; rep {rep}, deal #{deal}")
    print(f"times in ms over {args.runs} runs (median, best, CPU); MB = peak RSS; floor = best SQL by bare sqlite3")
    print(HEADER)

    def report(name: str, mine: Timing, floor: Timing | None) -> None:
        results.append((name, mine, floor))
        print(row(name, mine, floor), flush=True)

    report(f"one-scan reference ({totals[0]:,} rows, GROUP BY)", one_scan, None)
    wanted = lambda name: not args.only or args.only in name  # noqa: E731
    for name, cmd, statements in reads:
        if wanted(name):
            report(f"salesflow {name}", timed([*sf, *cmd], args.runs, env),
                   timed(floor_cmd(db, statements), args.runs) if statements else None)
    if wanted("export") and shutil.which("sqlite3") and not args.pg:  # the yardstick: the sqlite3 shell's own csv
        report("salesflow export deals (vs sqlite3 -csv)", timed([*sf, "export", "deals", "-f", "csv"], args.runs, env),
               timed(["sqlite3", "-csv", str(db), EXPORT], args.runs))
    if wanted("touch"):
        report(f"salesflow touch {deal}", timed([*sf, "touch", str(deal), "--kind", "call", "--note", "bench"], args.runs, env),
               timed(floor_cmd(db, many(TOUCH)), args.runs))
    if wanted("advance"):
        forth = [*sf, "advance", str(deal), "qualified", "--force", "--reason", "bench"]
        back = [*sf, "advance", str(deal), "lead", "--reason", "bench"]
        report(f"salesflow advance {deal} (forth and back)", timed([forth, back], args.runs, env),
               timed(floor_cmd(db, many(ADVANCE)), args.runs))
    if wanted("import") and not args.pg:  # an import into a new database: the file's story
        import_runs = max(1, min(args.runs, 2 if args.deals >= 100_000 else args.runs))
        source = db.parent / f"export-{args.deals}.csv"  # beside the database: a scratch place we can write
        subprocess.run([*sf, "export", "deals", "-o", str(source)], env=dict(os.environ, **env), check=True)
        target = db.parent / "import-target.db"
        fresh = [sys.executable, "-c", "import sys, os\nfor s in ('', '-wal', '-shm'):\n"
                 "    p = sys.argv[1] + s\n    os.path.exists(p) and os.remove(p)", str(target)]
        init = [*sf, "--db", str(target), "init"]

        def run_import(cmd: list[str]) -> Timing:  # each run into a new, empty database; no warm-up run
            spans = []
            for _ in range(import_runs):
                subprocess.run(fresh, check=True)
                subprocess.run(init, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                spans.append(measure(cmd, env))
            return summarise(spans)

        mine = run_import([*sf, "--db", str(target), "--now", "2026-11-24", "import", "deals", str(source), "--create-reps"])
        imported = db.parent / "import-result.db"  # what the last run wrote: the rows for SQLite alone
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{target}{suffix}").exists():
                os.replace(f"{target}{suffix}", f"{imported}{suffix}")
        writes = run_import([sys.executable, "-c", WRITES_FLOOR, str(target), str(imported)])
        floor = run_import([sys.executable, "-c", IMPORT_FLOOR, str(target), str(source)])
        report(f"salesflow import deals ({totals[0]:,} rows)", mine, floor)
        report("  SQLite alone writing the import's rows", writes, floor)
        print(f"  import: {totals[0] / (mine.median / 1000):,.0f} rows/s; SQLite alone writing the same rows"
              f" {totals[0] / (writes.median / 1000):,.0f}; bare executemany of deal rows {totals[0] / (floor.median / 1000):,.0f}")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
            Path(f"{imported}{suffix}").unlink(missing_ok=True)
        source.unlink(missing_ok=True)
    if wanted("start-up") or wanted("version"):
        bare = timed([sys.executable, "-c", "import sqlite3"], max(args.runs, 7))
        report("salesflow --version (start-up)", timed([*sf, "--version"], max(args.runs, 7), env), bare)
        report('python -c "import sqlite3"', bare, bare)
    if args.tasks and wanted("task"):
        for name, t in taskwarrior(args.tasks, args.runs):
            report(name, t, None)
        if not shutil.which("task"):
            print("taskwarrior: not installed (apt-get install taskwarrior) — skipped")

    print(f"\nagainst the one-scan reference ({one_scan.median:.1f} ms median): the manager reports' target is <= 3x and <= 2 s")
    for name, t, _floor in results:
        if name.startswith("salesflow ") and not any(w in name for w in ("touch", "advance", "import", "export", "version")):
            print(f"  {name:44} {t.median:9.1f} ms  {t.median / one_scan.median:7.2f}x")
    scan_db.unlink(missing_ok=True)
    out = args.csv or OUT / (f"run-{args.deals}{'' if args.shape == 'generated' else '-' + args.shape}"
                             f"{'-postgresql' if args.pg else ''}.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["command", "median_ms", "best_ms", "cpu_ms", "peak_mb", "floor_median_ms", "floor_best_ms",
                    "ratio_median", "ratio_best", "ratio_one_scan"])
        for name, t, floor in results:
            w.writerow([name, f"{t.median:.1f}", f"{t.best:.1f}", f"{t.cpu:.1f}", f"{t.peak:.0f}",
                        f"{floor.median:.1f}" if floor else "", f"{floor.best:.1f}" if floor else "",
                        f"{t.median / floor.median:.2f}" if floor else "", f"{t.best / floor.best:.2f}" if floor else "",
                        f"{t.median / one_scan.median:.2f}"])
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
