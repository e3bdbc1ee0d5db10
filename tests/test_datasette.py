"""examples/datasette/metadata.yaml: its canned queries run on a real database and agree with salesflow."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

METADATA = Path(__file__).parent.parent / "examples" / "datasette" / "metadata.yaml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from conftest import Cli

    path = tmp_path_factory.mktemp("demo")
    cli = Cli(path)
    cli.ok("demo", "--db", str(path / "salesflow.db"), "--now", "2026-11-23T08:30")
    cli.db = path / "salesflow.db"
    return cli


def queries() -> dict[str, str]:
    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    return {name: q["sql"] for name, q in meta["databases"]["salesflow"]["queries"].items()}


def run(db: Path, sql: str, **params: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, {"rep": "", "since": "", "days": ""} | params).fetchall()
    finally:
        conn.close()


def test_the_canned_queries_are_there():
    assert set(queries()) == {"due_today", "funnel_by_rep", "stuck"}


def test_funnel_by_rep_counts_every_deal_and_every_win(demo):
    rows = run(demo.db, queries()["funnel_by_rep"], since="2000-01-01")
    deals = list(csv.DictReader(io.StringIO(demo.ok("export", "deals").out)))
    assert sum(r["created"] for r in rows) == len(deals)
    assert {r["owner"]: r["won"] for r in rows if r["won"]} == dict(Counter(
        d["owner"] or "(unassigned)" for d in deals if d["status"] == "won"))
    for r in rows:
        assert r["created"] >= r["reached_stage_2"] >= r["reached_stage_3"] >= r["reached_stage_4"] >= r["won"]


def test_stuck_and_due_today_read_the_open_deals_view(demo):
    now = datetime.now()
    open_deals = [r for r in run(demo.db, "SELECT * FROM open_deals")]
    assert len(open_deals) == len(demo.query("SELECT id FROM deal WHERE status = 'open'"))
    stuck = run(demo.db, queries()["stuck"], days="30")
    expected = {r["deal_id"] for r in open_deals
                if (now - datetime.fromisoformat(r["stage_entered_at"])).days > 30}
    assert {r["deal_id"] for r in stuck} == expected
    due = run(demo.db, queries()["due_today"], rep="")
    assert due  # the demo has overdue follow-ups, and the clock only moves on
    assert all(r["next_followup"][:10] <= now.date().isoformat() for r in due)
    one = next(r["owner"] for r in due if r["owner"])
    assert {r["owner"] for r in run(demo.db, queries()["due_today"], rep=one)} == {one}
