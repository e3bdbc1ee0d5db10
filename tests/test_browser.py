"""The HTML pages in a real browser: Playwright for Python driving the system's Chromium (Debian's
`chromium`; nothing is downloaded). Skipped where either is missing; `.ci/run` installs both and runs
them. Screenshots go to tests/artifacts/ (ignored by git) for a person to look at."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conftest import Cli

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Skipped without Playwright or Chromium, except where SALESFLOW_BROWSER_REQUIRED is set (.ci/run):
    there a missing browser fails rather than passing unseen."""
    import os

    required = bool(os.environ.get("SALESFLOW_BROWSER_REQUIRED"))
    try:
        from playwright import sync_api
    except ImportError:
        if required:
            raise
        pytest.skip("pip install '.[browser]' (playwright)")
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip("no Chromium (apt install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from salesflow.app.demo import build_demo

    cli = Cli(tmp_path_factory.mktemp("browser"))
    cli.now = "2026-11-23T08:30"
    build_demo(cli.db, datetime.fromisoformat(cli.now), seed=42)
    cli.ok("target", "set", "2026-11", "150万")
    cli.ok("target", "set", "2026-12", "120万")
    return cli


def open_page(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: problems.append(f"fetched {r.url}") if not r.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_weekly_page_charts_numbers_and_a_phone(browser, demo, tmp_path, lang):
    out = tmp_path / f"weekly-{lang}.html"
    demo.ok("--lang", lang, "report", "weekly", "-f", "html", "-o", str(out))
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 420):
        page, problems = open_page(browser, out, width)
        page.screenshot(path=str(ARTIFACTS / f"weekly-{lang}-{width}.png"), full_page=True)
        assert problems == []
        # nothing is cut off on a phone: the page never scrolls sideways (wide tables scroll in their box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        charts = page.locator("figure.chart svg")
        assert charts.count() == 5
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50 and box["x"] + box["width"] <= width + 1
        page.close()

    page, _ = open_page(browser, out, 1280)
    since = "2025-11-23"
    funnel = rows(demo.ok("funnel", "--since", since, "-f", "csv").out)
    # one bar per stage, each labelled with the CLI's count of deals that reached it
    assert page.locator("#chart-funnel g.bar").count() == len(funnel)
    assert page.locator("#chart-funnel text.value").all_text_contents() == [f"{int(r['reached']):,}" for r in funnel]
    # two series of nine weeks: new and valid leads
    assert page.locator("#chart-leads g.dots").count() == 18
    assert page.locator("#chart-won g.bar").count() == 9
    open_stages = [r for r in funnel if r["stage"] != "won"]
    assert page.locator("#chart-stage-time g.bar").count() == sum(1 for r in open_stages if r["avg_days"])
    # the dashboard table holds the CLI's numbers
    dashboard = {r["indicator"]: r for r in rows(demo.ok("dashboard", "-f", "csv").out)}
    cells = page.locator("h2 + div.charts + div.scroll table tbody tr").all()
    shown = [row.locator("td").all_text_contents() for row in cells]
    assert [s[2] for s in shown[:4]] == [dashboard[f"open:{r['stage']}"]["value"] for r in open_stages]
    if lang == "zh":
        texts = " ".join(page.locator("svg text").all_text_contents())
        assert "线索" in texts and "需求确认" in texts and "每周新线索与有效线索" in texts
    page.close()


def test_funnel_and_forecast_pages_alone(browser, demo, tmp_path):
    for command in ("funnel", "forecast"):
        out = tmp_path / f"{command}.html"
        demo.ok("--lang", "zh", command, "-f", "html", "-o", str(out))
        page, problems = open_page(browser, out, 420)
        page.screenshot(path=str(ARTIFACTS / f"{command}-zh-420.png"), full_page=True)
        assert problems == []
        assert page.locator("figure.chart svg").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 420
        page.close()
    forecast = rows(demo.ok("forecast", "-f", "csv").out)
    page, _ = open_page(browser, tmp_path / "forecast.html", 1280)
    months = page.locator("#chart-forecast g.axis.x text").all_text_contents()
    assert months == [r["month"] for r in forecast if re.fullmatch(r"\d{4}-\d{2}", r["month"])][:6]
    page.close()


def test_datasette_pages(browser, tmp_path):
    """The Datasette pages open without errors and show the CLI's reports (tests/test_datasette.py checks the numbers)."""
    pytest.importorskip("datasette")
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from test_datasette import free_port
    from salesflow.app.demo import build_demo

    db = tmp_path / "east.db"
    build_demo(db, datetime.fromisoformat("2026-11-23T08:30"), seed=42)
    port = free_port()
    env = dict(os.environ, SALESFLOW_DB=str(db), SALESFLOW_NOW="2026-11-23T08:30", SALESFLOW_LANG="en")
    proc = subprocess.Popen([sys.executable, "-m", "salesflow", "datasette", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path, expect in (("/", "salesflow_reports"), ("/salesflow_reports/funnel_by_rep", "Funnel by rep"),
                             ("/salesflow_reports/dashboard_now", "Dashboard"), ("/east", "deal")):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(base + path)
            page.wait_for_load_state("load")
            name = path.strip("/").replace("/", "-") or "index"
            page.screenshot(path=str(ARTIFACTS / f"datasette-{name}.png"), full_page=True)
            assert expect in page.content()
            assert "change_log" not in page.locator("body").inner_text() or path != "/east"
            assert problems == []
            page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
