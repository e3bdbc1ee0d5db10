"""Start-up cost: `salesflow deals -f csv` and `salesflow --version` against a bare interpreter.

Prints the median wall time of several runs of each and the ratio to `python -c "import sqlite3"`.
Usage: python benchmarks/startup.py [--runs 15] [--db PATH]  (builds a demo database if no --db)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_ms(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])  # the first run warms the page cache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    salesflow = shutil.which("salesflow") or sys.exit("salesflow is not on PATH (pip install .)")
    tmp = tempfile.mkdtemp()
    db = args.db or Path(tmp) / "demo.db"
    env = dict(os.environ, SALESFLOW_DB=str(db), SALESFLOW_NOW="2026-11-23T08:30")
    if not db.exists():
        subprocess.run([salesflow, "demo"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ('python -c "import sqlite3"', [sys.executable, "-c", "import sqlite3"]),
        ("salesflow --version", [salesflow, "--version"]),
        ("salesflow deals -f csv", [salesflow, "deals", "-f", "csv"]),
        ("salesflow deals (table, piped)", [salesflow, "deals"]),
    ]
    results = {name: median_ms(cmd, args.runs, env) for name, cmd in cases}
    floor = results['python -c "import sqlite3"']
    print(f"{'command':34} {'median ms':>10} {'× sqlite3 floor':>16}")
    for name, ms in results.items():
        print(f"{name:34} {ms:10.1f} {ms / floor:16.2f}")


if __name__ == "__main__":
    main()
