"""The benchmark scripts still run (tiny scale, one run). Timing is printed by them, never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def test_due_benchmark_runs_and_finds_no_full_scan(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "due.py"), "--deals", "1500", "--runs", "1",
                           "--db", str(tmp_path / "bench.db")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1,500 deals" in done.stdout
    assert "full scans of deal/touch: none" in done.stdout
    assert "salesflow due --as" in done.stdout


def test_analytics_benchmark_runs(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "analytics.py"), "--deals", "1500", "--runs", "1",
                           "--db", str(tmp_path / "bench.db")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("funnel --by rep", "funnel --summary --by rep", "stuck", "health"):
        assert f"salesflow {name} -f csv" in done.stdout


def test_the_whole_benchmark_runs_at_small_scale(tmp_path):
    """benchmarks/run.py: every command, its floor, start-up, import, a csv of the table (10,000 deals)."""
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--deals", "10000", "--runs", "1", "--tasks", "2000",
                           "--db", str(tmp_path / "bench.db"), "--csv", str(tmp_path / "run.csv")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    import csv

    rows = {r["command"].split(" (")[0]: r for r in csv.DictReader((tmp_path / "run.csv").open(encoding="utf-8"))}
    for name in ("due --as", "due --all --check", "deals --rep", "show", "funnel", "funnel --by rep", "funnel --by source",
                 "funnel --by grade", "funnel --by month", "funnel --by team", "funnel --summary --by rep",
                 "stuck", "health", "forecast", "forecast --by rep", "forecast --stages", "silent", "review",
                 "report weekly", "export deals -f csv", "touch", "advance", "import deals", "--version"):
        assert any(key.startswith(f"salesflow {name}") for key in rows), name
    floors = 0
    for key, r in rows.items():
        if key.startswith("salesflow"):
            assert float(r["median_ms"]) > 0 and float(r["peak_mb"]) > 0
            assert float(r["ratio_one_scan"]) > 0
            if r["floor_median_ms"]:  # the reports added for the one-scan yardstick have no hand-written floor
                floors += 1
                assert float(r["floor_median_ms"]) > 0
    assert floors >= 15
    assert float(rows["one-scan reference"]["median_ms"]) > 0  # the yardstick row: one GROUP BY over as many rows
    assert "against the one-scan reference" in done.stdout


def test_the_open_heavy_shape_goes_through_import(tmp_path):
    """--shape open-heavy: the generated deals and touches through `import deals` / `import touches`, 60% open."""
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--deals", "4000", "--runs", "1", "--tasks", "0",
                           "--shape", "open-heavy", "--only", "stuck", "--db", str(tmp_path / "bench.db"),
                           "--csv", str(tmp_path / "run.csv")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    import sqlite3

    conn = sqlite3.connect(tmp_path / "bench-open-heavy.db")
    deals, opened = conn.execute("SELECT COUNT(*), SUM(status = 'open') FROM deal").fetchone()
    conn.close()
    assert deals == 4000 and 0.55 < opened / deals < 0.7
    assert "salesflow stuck" in (tmp_path / "run.csv").read_text(encoding="utf-8")
