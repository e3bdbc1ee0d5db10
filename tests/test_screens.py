"""The daily screens as a terminal shows them, at 80 and 120 columns, in English and Chinese: reviewed
golden files (tests/golden/screens/; UPDATE_GOLDEN=1 rewrites them — then read the diff)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from conftest import Cli, check_golden

SCREENS = {
    "due": ("due", "--as", "wang"),
    "deals": ("deals", "--rep", "wang"),
    "funnel": ("funnel",),
    "stuck": ("stuck",),
    "health": ("health",),
    "review": ("review", "--period", "2026-11", "--section", "reps"),
    "forecast": ("forecast",),
    "show": ("show", "FIRST_DUE"),
    "board": ("board",),
    "dashboard": ("dashboard",),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from salesflow.app.demo import build_demo

    home = tmp_path_factory.mktemp("screens")
    cli = Cli(home)
    cli.now = "2026-11-23T08:30"
    build_demo(cli.db, datetime.fromisoformat(cli.now), seed=42)
    return cli


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(demo, screen, width, lang):
    args = list(SCREENS[screen])
    if "FIRST_DUE" in args:
        first = demo.ok("due", "--as", "wang", "-f", "csv").out.splitlines()[1].split(",")[0]
        args[args.index("FIRST_DUE")] = first
    run = demo.ok("--lang", lang, "--color", "always", *args, env={"COLUMNS": str(width), "NO_COLOR": None})
    text = re.sub(r"\x1b\[[0-9;]*m", "", run.out)
    from wcwidth import wcswidth

    assert [line for line in text.splitlines() if wcswidth(line) > width] == []
    check_golden(f"screens/{screen}_{lang}_{width}.txt", text)
