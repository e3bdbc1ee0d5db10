"""`board` and `dashboard`, worked out by hand on a small scenario with pinned clocks."""

from __future__ import annotations

import json

import pytest

from conftest import at


@pytest.fixture
def october(team):
    """D1 (wang): created 1 Oct, qualified 5th, proposal 10th, negotiation 20th, won 25th.
    D2 (wang): created 2 Oct, lost from lead 6th. D3 (zhao): created 3 Oct, qualified 13th, still open, never
    touched. D4 (zhao): created Monday 2 Nov 08:00, a lead. Target for November: 100,000. Now: Wed 4 Nov 12:00."""
    def lead(day: str, name: str, owner: str, phone: str) -> None:
        at(team, day).ok("lead", "add", name, "--contact", "c", "--phone", phone, "--source", "web", "--owner", owner)

    lead("2026-10-01T09:00", "D1", "wang", "13800000001")
    lead("2026-10-02T09:00", "D2", "wang", "13800000002")
    lead("2026-10-03T09:00", "D3", "zhao", "13800000003")
    for deal in ("1", "3"):
        team.ok("set", deal, "need=x", "budget=y", "decision_maker=z", "amount=5万", "close=2026-12-20")
    at(team, "2026-10-05T09:00").ok("advance", "1", "qualified")
    at(team, "2026-10-06T09:00").ok("lose", "2", "--reason", "price")
    at(team, "2026-10-10T09:00").ok("advance", "1", "proposal")
    team.ok("touch", "1", "--kind", "quote", "--did", "confirm-decision-maker")
    at(team, "2026-10-13T09:00").ok("advance", "3", "qualified")
    at(team, "2026-10-20T09:00").ok("advance", "1", "negotiation")
    team.ok("touch", "1", "--kind", "meeting", "--note", "signed")
    at(team, "2026-10-25T09:00").ok("win", "1")
    lead("2026-11-02T08:00", "D4", "zhao", "13800000004")
    team.ok("target", "set", "2026-11", "10万")
    return at(team, "2026-11-04T12:00")


def test_dashboard_indicators_by_hand(october):
    rows = october.ok("dashboard", "-f", "csv").out.splitlines()
    assert rows == [
        "indicator,scope,value,threshold,status",
        "open:lead,all,1,,info", "open:qualified,all,1,,info", "open:proposal,all,0,,info", "open:negotiation,all,0,,info",
        # reached: lead 4, qualified 2 (D1, D3), proposal 1, negotiation 1, won 1
        "conversion:lead,all,0.5,0.3,green", "conversion:qualified,all,0.5,0.3,green",
        "conversion:proposal,all,1.0,0.3,green", "conversion:negotiation,all,1.0,0.3,green",
        # finished visits: qualified D1 5 days; proposal D1 10 days; negotiation D1 5 days
        "days_in_stage:qualified,all,5.0,7.0,green", "days_in_stage:proposal,all,10.0,7.0,red",
        "days_in_stage:negotiation,all,5.0,7.0,green",
        # November: nothing won, nothing weighted (D3 closes in December), target 100,000: (0 + 0 − 100,000) ÷ 100,000
        "forecast_gap,all,-1.0,0.15,red",
        # D3 is past its first-touch deadline (and idle in qualified); D4's first touch is due on the 5th
        "overdue_share,all,0.5,0.05,red",
        # this week: D4 new; nothing reached qualified; nothing won
        "new_leads,all,1,,info", "valid_leads,all,0,,info", "lead_to_opportunity,all,0.0,,info",
        "avg_cycle_days,all,,,info", "won_amount,all,0.0,,info",
    ]
    october.fails(3, "dashboard", "--check")


def test_dashboard_thresholds_are_settings_and_scopes_filter(october):
    october.ok("config", "set", "dashboard.days_in_stage", "10")
    october.ok("config", "set", "dashboard.overdue_share", "0.5")
    october.ok("config", "set", "dashboard.forecast_gap", "1")
    rows = {r["indicator"]: r for r in json.loads(october.ok("dashboard", "-f", "json").out)}
    assert rows["days_in_stage:proposal"]["status"] == "green" and rows["days_in_stage:proposal"]["threshold"] == 10.0
    assert rows["overdue_share"]["status"] == "green"
    assert rows["forecast_gap"]["status"] == "green"
    october.ok("dashboard", "--check")  # nothing red now
    assert "from 0 to 1" in october.fails(1, "config", "set", "dashboard.conversion", "1.5").err
    wang = {r["indicator"]: r for r in json.loads(october.ok("dashboard", "--rep", "wang", "-f", "json").out)}
    assert wang["open:lead"]["scope"] == "wang" and wang["open:lead"]["value"] == 0
    assert wang["conversion:lead"]["value"] == 0.5  # D1 went on, D2 was lost
    assert wang["overdue_share"]["status"] == "n/a"  # wang has no open deal: nothing to divide
    zhao = {r["indicator"]: r for r in json.loads(october.ok("dashboard", "--team", "east", "-f", "json").out)}
    assert zhao["new_leads"]["value"] == 1
    assert "no reps in team 'west'" in october.fails(1, "dashboard", "--team", "west").err
    assert "no reps in team 'west'" in october.fails(1, "board", "--team", "west").err
    assert "not both" in october.fails(2, "dashboard", "--rep", "wang", "--team", "east").err


def test_board_cards_in_pipedrive_order(october):
    october.ok("followup", "3", "2026-11-04T17:00")  # due today
    at(october, "2026-11-04T12:00")
    rows = october.ok("board", "-f", "csv").out.splitlines()
    assert rows == ["deal_id,customer,owner,stage,amount,days_in_stage,state",
                    "4,D4,zhao,lead,0.00,2,no-plan",
                    "3,D3,zhao,qualified,50000.00,22,today"]
    october.ok("followup", "3", "2026-11-03T17:00")
    assert october.ok("board", "--rep", "zhao", "-f", "csv").out.splitlines()[2].endswith(",overdue")
    assert october.ok("board", "--rep", "wang", "-f", "csv").out.splitlines() == [rows[0]]
    screen = october.ok("--color", "always", "board", env={"COLUMNS": "80", "NO_COLOR": None}).out
    assert "+" not in screen.split("order:")[0].replace("─", "")  # nothing hidden with two cards
    zh = october.ok("--lang", "zh", "--color", "always", "board", env={"COLUMNS": "80", "NO_COLOR": None}).out
    assert "线索" in zh and "需求确认" in zh and "已逾期" in zh


def test_markdown_pages_keep_html_and_links_from_a_name_inert(october):
    hostile = "<img src=x onerror=alert(1)> ![px](https://evil.example/p.png) [click](https://evil.example)"
    october.ok("set", "3", f"customer={hostile}")
    for args in (("report", "weekly"), ("board", "-f", "markdown"), ("stuck", "-f", "markdown"),
                 ("deals", "-f", "markdown")):
        page = october.ok(*args).out
        # HTML escaped, and brackets escaped so no link or image forms: `!\[px\](…)` shows as text
        assert "<img" not in page and "[px]" not in page and "[click]" not in page, args
        assert "&lt;img" in page or args == ("stuck", "-f", "markdown")
