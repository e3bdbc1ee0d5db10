"""Rep health: each colour and each red and yellow condition on its own; stuck deals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from conftest import at

from salesflow.domain.health import OpenDeal, health

NOW = datetime(2026, 11, 20, 9, 0)


def deal(stage="proposal", days_in_stage=3, overdue=False):
    return OpenDeal(stage, NOW - timedelta(days=days_in_stage), overdue)


def moved(days_ago):
    return NOW - timedelta(days=days_ago)


def test_green():
    h = health("wang", [deal(), deal("lead")], moved(2), NOW)
    assert (h.status, h.reasons, h.days_since_progress, h.overdue_pct) == ("green", (), 2, 0.0)


@pytest.mark.parametrize("deals, progress, reason", [
    ([deal()], moved(15), "no forward move or win in 14 days (last: 15 days ago)"),
    ([deal()], None, "no forward move or win in 14 days (last: never)"),
    ([deal("proposal", 16), deal("proposal", 20)], moved(1), "2 deals stuck in proposal over 15 days"),
])
def test_each_red_condition_alone(deals, progress, reason):
    h = health("wang", deals, progress, NOW)
    assert h.status == "red" and h.reasons == (reason,)


def test_stuck_deals_in_different_stages_do_not_add_up_to_red():
    h = health("wang", [deal("proposal", 16), deal("lead", 30)], moved(1), NOW)
    assert h.status == "yellow" and h.reasons == ("2 deals in a stage over 15 days",)


@pytest.mark.parametrize("deals, progress, reason", [
    ([deal(overdue=True)] + [deal() for _ in range(19)], moved(1), None),  # exactly 5%: not more than 5%
    ([deal(overdue=True)] + [deal() for _ in range(18)], moved(1), "1 of 19 open deals overdue (5% > 5%)"),
    ([deal("lead", 16), deal()], moved(1), "1 deal in a stage over 15 days"),
    ([deal()], moved(8), "no forward move in 7 days (last: 8 days ago)"),
    ([], None, "no forward move in 7 days (last: never)"),  # no open deals: never red, but idle
])
def test_each_yellow_condition_alone(deals, progress, reason):
    h = health("wang", deals, progress, NOW)
    if reason is None:
        assert h.status == "green"
    else:
        assert h.status == "yellow" and h.reasons == (reason,)


def test_exactly_15_days_is_not_over_15():
    assert health("wang", [deal("lead", 15), deal("lead", 15)], moved(1), NOW).status == "green"


# --- through the CLI --------------------------------------------------------------------------


@pytest.fixture
def crew(team):
    """zhao moves deals on; wang's deals sit in qualified."""
    at(team, "2026-10-01T09:00")
    for i, owner in enumerate(("wang", "wang", "zhao")):
        team.ok("lead", "add", f"Co{i}", "--contact", "c", "--email", f"{i}@x.cn", "--source", "web", "--owner", owner)
        team.ok("set", str(i + 1), "need=x", "budget=y", "decision_maker=z")
        team.ok("advance", str(i + 1), "qualified")
        team.ok("touch", str(i + 1), "--kind", "call", "--note", f"note {i}")
    at(team, "2026-10-20T09:00")
    team.ok("set", "3", "amount=1万", "close=2026-12-01")
    team.ok("advance", "3", "proposal")
    team.ok("touch", "3", "--kind", "quote", "--note", "sent", "--next", "2026-10-25")
    return at(team, "2026-10-22T09:00")


def test_health_report_and_check(crew):
    rows = json.loads(crew.ok("health", "-f", "json").out)
    assert [(r["rep"], r["status"], r["open_deals"], r["stuck_15d"], r["days_since_progress"]) for r in rows] == [
        ("wang", "red", 2, 2, 21), ("zhao", "green", 1, 0, 2)]
    assert rows[0]["reasons"] == "no forward move or win in 14 days (last: 21 days ago);2 deals stuck in qualified over 15 days"
    assert rows[0]["overdue"] == 2 and rows[0]["overdue_pct"] == 1.0  # cadence B: 14 days after the call
    crew.fails(3, "health", "--check")
    at(crew, "2026-10-22T10:00")
    crew.ok("set", "1", "amount=1万", "close=2026-12-01")
    crew.ok("advance", "1", "proposal")  # a forward move: wang is no longer quiet, one deal still sits
    rows = json.loads(crew.ok("health", "-f", "json").out)
    assert [(r["rep"], r["status"], r["reasons"]) for r in rows] == [
        ("wang", "yellow", "2 of 2 open deals overdue (100% > 5%);1 deal in a stage over 15 days"),
        ("zhao", "green", "")]
    assert crew.ok("health", "--check").code == 0


def test_stuck_lists_idle_deals_with_no_plan(crew):
    rows = json.loads(crew.ok("stuck", "-f", "json").out)
    # wang's two deals: qualified since 10-01, last touch 10-01, idle limit 7 days; zhao's has a plan
    assert [(r["deal_id"], r["owner"], r["stage"], r["days_in_stage"], r["idle_days"], r["idle_limit"], r["last_note"])
            for r in rows] == [(1, "wang", "qualified", 21, 21, 7, "note 0"), (2, "wang", "qualified", 21, 21, 7, "note 1")]
    assert [r["deal_id"] for r in json.loads(crew.ok("stuck", "--over", "1", "-f", "json").out)] == [1, 2, 3]
    by_stage = crew.ok("stuck", "--by", "stage", "-f", "csv").out.splitlines()
    assert by_stage == ["stage,stuck,longest_days,longest_deal,longest_owner", "qualified,2,21,1,wang"]
    out = crew.ok("stuck", "--by", "rep").out
    assert "stuck longest: wang — #1 Co0, 21 days in qualified" in out
    assert "not a grouping" in crew.fails(2, "stuck", "--by", "month").err  # a usage problem, like every --by


def test_progress_kept_on_write_equals_a_rebuild_from_stage_events(crew, tmp_path):
    """deal.progressed_at is derived data: after moves forward, back, skips, losses, reopens and wins it
    must equal what the stage events say — for the CLI's writes and for the demo generator's."""
    from conftest import connect
    from salesflow.store.analytics import progress_from_events, progress_stored

    at(crew, "2026-10-23T09:00")
    crew.ok("advance", "1", "lead", "--reason", "requalify")  # back: not progress
    crew.ok("advance", "1", "proposal", "--force", "--reason", "skip")  # forward, forced
    crew.ok("lose", "2", "--reason", "price")
    at(crew, "2026-10-24T09:00")
    crew.ok("reopen", "2", "--reason", "back")  # a reopen is not progress
    crew.ok("win", "3", "--force", "--reason", "signed")
    for db in (crew.db, tmp_path / "demo.db"):
        if db != crew.db:
            crew.ok("demo", "--db", str(db))
        conn = connect(db)
        stored, rebuilt = progress_stored(conn), progress_from_events(conn)
        conn.close()
        assert stored == rebuilt and stored
    assert rebuilt_for(crew) == {1: "2026-10-23T09:00:00", 2: "2026-10-01T09:00:00", 3: "2026-10-24T09:00:00"}


def rebuilt_for(cli):
    return dict(cli.query("SELECT id, progressed_at FROM deal WHERE progressed_at IS NOT NULL ORDER BY id"))
