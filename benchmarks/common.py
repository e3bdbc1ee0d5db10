"""Helpers shared by the benchmark scripts: building a large database and timing commands."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

NOW = "2026-11-23T08:30"
OUT = Path(__file__).resolve().parent / "out"


def salesflow() -> list[str]:
    """The installed command, else this interpreter's `-m salesflow` (slower to start: no console script)."""
    found = shutil.which("salesflow")
    return [found] if found else [sys.executable, "-m", "salesflow"]


def build(path: Path, deals: int) -> None:
    """A database with the project's own generator: reps = deals/2000, customers = deals/5, 3 years."""
    if path.exists():
        print(f"reusing {path}")
        return
    from salesflow.app.demo import Scale, build_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    scale = Scale(deals=deals, customers=max(340, deals // 5), months=36, reps=max(10, deals // 2000),
                  touch_spacing=2.2)
    start = time.perf_counter()
    counts = build_demo(path, datetime.fromisoformat(NOW), seed=42, scale=scale)
    print(f"built {path} in {time.perf_counter() - start:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall time (ms) of `runs` runs after one warm-up, and the peak RSS (MB) of the children."""
    env = dict(os.environ, **(env or {}))
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed = (time.perf_counter() - start) * 1000
        if done.returncode not in (0, 3):
            sys.exit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
        if i:
            times.append(elapsed)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(times), peak


FLOOR = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
for statement in json.loads(sys.argv[2]):
    conn.execute(statement["sql"], statement["params"]).fetchall()
"""


def floor_cmd(db: Path, statements: list[dict]) -> list[str]:
    import json

    return [sys.executable, "-c", FLOOR, str(db), json.dumps(statements)]
