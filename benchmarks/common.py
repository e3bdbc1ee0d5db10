"""Helpers shared by the benchmark scripts: building a large database and timing commands."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

NOW = "2026-11-23T08:30"
OUT = Path(__file__).resolve().parent / "out"


def salesflow() -> list[str]:
    """The installed command, else this interpreter's `-m salesflow` (slower to start: no console script)."""
    found = shutil.which("salesflow")
    return [found] if found else [sys.executable, "-m", "salesflow"]


def build(path: Path, deals: int) -> None:
    """A database with the project's own generator: reps = deals/2000, customers = deals/5, 3 years.
    Built in a child process: a child's peak-memory figure starts from its parent's size at fork, so
    the timing parent must stay small."""
    if path.exists():
        print(f"reusing {path}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    code = (
        "import sys, time\n"
        "from datetime import datetime\n"
        "from pathlib import Path\n"
        "from salesflow.app.demo import Scale, build_demo\n"
        "deals = int(sys.argv[2])\n"
        "scale = Scale(deals=deals, customers=max(340, deals // 5), months=36, reps=max(10, deals // 2000),"
        " touch_spacing=2.2)\n"
        "start = time.perf_counter()\n"
        "counts = build_demo(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[3]), seed=42, scale=scale)\n"
        "print(f'built {sys.argv[1]} in {time.perf_counter() - start:.0f} s: '"
        " + ', '.join(f'{v:,} {k}' for k, v in counts.items()))\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(deals), NOW], check=True)


class Timing(tuple):
    """(median wall ms, best wall ms, median CPU ms, peak RSS MB) over the timed runs."""

    median = property(lambda self: self[0])
    best = property(lambda self: self[1])
    cpu = property(lambda self: self[2])
    peak = property(lambda self: self[3])


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """One run of `cmd`: (wall ms, CPU ms, peak RSS MB of the child itself). Exit 0 or 3 (a --check) only."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, **(env or {})))
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory
    elapsed = (time.perf_counter() - start) * 1000
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        sys.exit(f"{' '.join(cmd)} failed ({code}): {child.stderr.read().decode()[-500:]}")
    child.stderr.close()
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024


def timed(cmd: list[str] | list[list[str]], runs: int, env: dict[str, str] | None = None) -> Timing:
    """Run `cmd` once to warm up, then `runs` times (a list of commands is taken in turn: a write that
    must alternate, like advance forth and back). This VM's wall times are noisy (another tenant's
    load shows up), so the best run and the CPU time (user + sys) are reported beside the median."""
    cycle = cmd if cmd and isinstance(cmd[0], list) else [cmd]
    spans = [measure(cycle[i % len(cycle)], env) for i in range(runs + 1)][1:] if runs else [measure(cycle[0], env)]
    return summarise(spans)


def summarise(spans: list[tuple[float, float, float]]) -> Timing:
    times = [s[0] for s in spans]
    return Timing((statistics.median(times), min(times), statistics.median(s[1] for s in spans), max(s[2] for s in spans)))


def row(name: str, t: Timing, floor: Timing | None) -> str:
    ratio = "" if floor is None else f"{t.median / floor.median:7.2f} {t.best / floor.best:7.2f} {t.cpu / floor.cpu:7.2f}"
    return f"{name:44} {t.median:9.1f} {t.best:8.1f} {t.cpu:8.1f} {t.peak:7.0f}  {ratio}"


HEADER = f"{'command':44} {'median':>9} {'best':>8} {'cpu':>8} {'MB':>7}  {'×med':>7} {'×best':>7} {'×cpu':>7}"


FLOOR = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
for statement in json.loads(sys.argv[2]):
    for _ in conn.execute(statement["sql"], statement["params"]):
        pass
"""


def floor_cmd(db: Path, statements: list[dict]) -> list[str]:
    import json

    return [sys.executable, "-c", FLOOR, str(db), json.dumps(statements)]
