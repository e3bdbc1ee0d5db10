"""`salesflow demo` builds a realistic, seeded database and never touches an existing file."""

from __future__ import annotations

import sqlite3


def test_demo_builds_a_rich_database_and_prints_a_tour(cli, tmp_path):
    target = tmp_path / "demo.db"
    run = cli.ok("demo", "--db", str(target), "--now", "2026-11-23T08:30")
    assert run.out.splitlines()[0] == f"demo database: {target}"
    assert "Due — wang (王伟)" in run.out  # the rep's morning list
    assert "Due — li (李娜) with unassigned leads and escalations" in run.out  # and the manager's
    assert "Open pipeline by stage" in run.out and "Negotiation" in run.out
    conn = sqlite3.connect(target)
    q = lambda sql: conn.execute(sql).fetchone()[0]
    assert q("SELECT COUNT(*) FROM rep") >= 8 and q("SELECT COUNT(*) FROM rep WHERE role = 'manager'") >= 2
    assert q("SELECT COUNT(*) FROM customer") >= 300
    assert q("SELECT COUNT(*) FROM deal") >= 500
    assert q("SELECT MIN(created_at) FROM deal") < "2026-06-01"
    assert q("SELECT COUNT(*) FROM deal WHERE status = 'won'") >= 20
    assert q("SELECT COUNT(DISTINCT lost_reason) FROM deal WHERE status = 'lost'") >= 5
    assert q("SELECT COUNT(*) FROM deal WHERE status = 'open' AND next_followup < '2026-11-23'") >= 5  # overdue
    assert q("SELECT COUNT(*) FROM deal WHERE status = 'open' AND stage_entered_at < '2026-10-23'") >= 3  # stuck
    assert q("SELECT COUNT(*) FROM customer WHERE name GLOB '*[a-z]*'") >= 20  # English names too
    assert q("SELECT COUNT(*) FROM customer WHERE name LIKE '%有限公司'") >= 100  # and Chinese
    assert q("SELECT COUNT(*) FROM touch") > q("SELECT COUNT(*) FROM deal")
    # history is consistent: every won deal passed negotiation's exit criterion
    assert q("""SELECT COUNT(*) FROM deal d WHERE d.status = 'won' AND NOT EXISTS (
                SELECT 1 FROM touch t WHERE t.deal_id = d.id AND t.kind = 'meeting' AND t.notes IS NOT NULL)""") == 0
    # nothing happened after the demo's "now" (its history stops at the clock, even on the last day)
    assert max(q("SELECT MAX(at) FROM touch"), q("SELECT MAX(at) FROM stage_event"),
               q("SELECT MAX(closed_at) FROM deal"), q("SELECT MAX(created_at) FROM deal")) <= "2026-11-23T08:30:00"
    assert q("PRAGMA integrity_check") == "ok"
    conn.close()


def test_demo_is_seeded(cli, tmp_path):
    for name in ("a.db", "b.db"):
        cli.ok("demo", "--db", str(tmp_path / name), "--seed", "3")
    dump = lambda p: list(sqlite3.connect(p).execute("SELECT * FROM deal ORDER BY id"))
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")


def test_demo_never_touches_an_existing_database(cli, tmp_path):
    target = tmp_path / "mine.db"
    target.write_bytes(b"precious")
    run = cli.fails(1, "demo", "--db", str(target))
    assert "already exists" in run.err and target.read_bytes() == b"precious"


def test_demo_in_the_data_directory_picks_a_new_name(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("salesflow.cli.env.default_db_path", lambda: tmp_path / "data" / "salesflow.db")
    first = cli.ok("demo", env={"SALESFLOW_DB": None}).out.splitlines()[0]
    second = cli.ok("demo", env={"SALESFLOW_DB": None}).out.splitlines()[0]
    assert first.endswith("data/demo.db") and second.endswith("data/demo-2.db")


def test_the_demo_team_is_mostly_healthy_and_says_how_to_pick_a_rep(cli, tmp_path):
    """Red must read as an exception: in the demo most reps are green and one or two are red."""
    import csv
    import io

    target = tmp_path / "demo.db"
    run = cli.ok("demo", "--db", str(target))
    assert "SALESFLOW_REP=" in run.err
    rows = list(csv.DictReader(io.StringIO(cli.ok("health", "-f", "csv", "--db", str(target)).out)))
    colours = [r["status"] for r in rows]
    assert 1 <= colours.count("red") <= 2 and colours.count("green") >= len(colours) // 2, colours


def test_generated_history_moves_forward_in_time_at_any_scale(tmp_path):
    """A stage left half a day after it was entered drew its leaving hour afresh and could land before the
    entry (2 such deals in 2,000; doctor's progressed_at check caught 22 in the 100,000-deal benchmark)."""
    import sqlite3
    from datetime import datetime

    from salesflow.app.demo import Scale, build_demo

    db = tmp_path / "big.db"
    build_demo(db, datetime(2026, 11, 23, 8, 30), seed=42,
               scale=Scale(deals=2000, customers=400, months=36, reps=10, touch_spacing=2.2))
    conn = sqlite3.connect(db)
    backwards = conn.execute("SELECT a.deal_id FROM stage_event a JOIN stage_event b ON b.deal_id = a.deal_id"
                             " AND b.id > a.id AND b.at < a.at").fetchall()
    assert backwards == []
    conn.close()
