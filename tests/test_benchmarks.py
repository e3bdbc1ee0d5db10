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
