"""`salesflow due` on a large database against the floor: the same query by bare python + sqlite3.

    python benchmarks/due.py                  # 1,000,000 deals (builds benchmarks/out/1000000.db once)
    python benchmarks/due.py --deals 10000    # a quick run

Prints the median of several runs of each, their ratio (target: due within 3× the floor), and the
query plan of one rep's list (it must search by index, never scan deals or touches).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HEADER, NOW, OUT, build, floor_cmd, row, salesflow, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="database to use (built there if missing)")
    args = parser.parse_args()
    db = args.db or OUT / f"{args.deals}.db"
    build(db, args.deals)
    from salesflow.store.due import DueScope, due_query

    conn = sqlite3.connect(db)
    owners = [r[0] for r in conn.execute("SELECT owner FROM deal WHERE status = 'open' AND owner IS NOT NULL "
                                         "GROUP BY owner ORDER BY COUNT(*), owner")]
    rep = owners[len(owners) // 2]  # a typical rep: the median open-deal count
    open_deals = conn.execute("SELECT COUNT(*) FROM deal WHERE owner = ? AND status = 'open'", (rep,)).fetchone()[0]
    totals = conn.execute("SELECT (SELECT COUNT(*) FROM deal), (SELECT COUNT(*) FROM touch)").fetchone()
    sql, params = due_query(DueScope(owners=(rep,)), NOW + ":00")
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    conn.close()

    env = {"SALESFLOW_DB": str(db), "SALESFLOW_NOW": NOW}
    floor = timed(floor_cmd(db, [{"sql": sql, "params": params}]), args.runs)
    due = timed([*salesflow(), "due", "--as", rep, "-f", "csv"], args.runs, env)
    bare = timed([sys.executable, "-c", "import sqlite3"], args.runs)
    print(f"\n{totals[0]:,} deals, {totals[1]:,} touches; rep {rep} has {open_deals} open deals; times in ms")
    print(HEADER)
    print(row(f"salesflow due --as {rep} -f csv", due, floor))
    print(row("floor: python -c, the same SQL by sqlite3", floor, floor))
    print(row('python -c "import sqlite3"', bare, floor))
    print("\nquery plan (one rep):")
    for step in plan:
        print("  " + step)
    scans = [s for s in plan if s.startswith("SCAN") and ("deal" in s or "touch" in s)]
    print("full scans of deal/touch:", scans or "none")


if __name__ == "__main__":
    main()
