"""Win/loss review of the deals closed in a period, worked out by hand."""

from __future__ import annotations

import json

import pytest

from conftest import at


@pytest.fixture
def october(team):
    at(team, "2026-10-01T09:00")
    for name, owner, source, amount in (("D1", "wang", "expo", "10万"), ("D2", "wang", "web", "2万"),
                                        ("D3", "zhao", "web", "5万"), ("D4", "zhao", "expo", "8万"),
                                        ("D5", "zhao", "expo", "1万")):
        team.ok("lead", "add", name, "--contact", "c", "--email", f"{name}@x.cn", "--source", source,
                "--owner", owner, "--amount", amount)
    at(team, "2026-10-05T09:00").ok("lose", "2", "--reason", "price")
    at(team, "2026-10-06T08:00").ok("touch", "3", "--kind", "call")
    at(team, "2026-10-06T09:00").ok("lose", "3", "--reason", "competitor", "--note", "选了销售易")
    for kind in ("call", "quote", "meeting"):
        at(team, "2026-10-08T09:00").ok("touch", "1", "--kind", kind, "--note", "ok")
    at(team, "2026-10-09T09:00").ok("win", "1", "--force", "--reason", "signed")
    for day in range(10, 16):
        at(team, f"2026-10-{day}T09:00").ok("touch", "4", "--kind", "call")
    at(team, "2026-10-20T09:00").ok("win", "4", "--force", "--reason", "signed")
    at(team, "2026-11-02T09:00").ok("lose", "5", "--reason", "price")  # November: outside the period
    return at(team, "2026-11-10T09:00")


def csv(cli, section, period="2026-10"):
    return cli.ok("review", "--period", period, "--section", section, "-f", "csv").out.splitlines()


def test_lost_reasons(october):
    assert csv(october, "lost-reasons") == ["lost_reason,deals,amount,share", "competitor,1,50000.00,0.5",
                                             "price,1,20000.00,0.5"]


def test_largest_won_and_lost_per_rep(october):
    assert csv(october, "reps") == [
        "rep,won,lost,win_rate,largest_won,largest_won_customer,largest_won_amount,largest_lost,largest_lost_customer,"
        "largest_lost_amount,largest_lost_reason",
        "wang,1,1,0.5,1,D1,100000.00,2,D2,20000.00,price",
        "zhao,1,1,0.5,4,D4,80000.00,3,D3,50000.00,competitor",
    ]


def test_win_rate_by_source_and_by_touches(october):
    assert csv(october, "sources") == ["source,won,lost,win_rate", "expo,2,0,1.0", "web,0,2,0.0"]
    # D1 won after 3 touches, D2 lost after 0, D3 lost after 1, D4 won after 6; all grade B; D1, D4 from expo
    assert csv(october, "touches") == [
        "dimension,group,touches,won,lost,win_rate",
        "all,,0,0,1,0.0", "all,,1-2,0,1,0.0", "all,,3-5,1,0,1.0", "all,,6-10,1,0,1.0", "all,,11+,0,0,",
        "grade,B,0,0,1,0.0", "grade,B,1-2,0,1,0.0", "grade,B,3-5,1,0,1.0", "grade,B,6-10,1,0,1.0",
        "source,expo,3-5,1,0,1.0", "source,expo,6-10,1,0,1.0",
        "source,web,0,0,1,0.0", "source,web,1-2,0,1,0.0",
    ]


def test_cycle_of_won_vs_lost(october):
    assert csv(october, "cycle") == ["outcome,deals,avg_cycle_days,median_cycle_days", "won,2,13.5,13.5",
                                      "lost,2,4.5,4.5"]


def test_default_period_is_last_month_and_json_holds_every_section(october):
    assert october.ok("review", "-f", "json").out == october.ok("review", "--period", "2026-10", "-f", "json").out
    data = json.loads(october.ok("review", "--period", "last-month", "-f", "json").out)
    assert list(data) == ["lost-reasons", "reps", "sources", "touches", "cycle", "activity"]
    november = json.loads(october.ok("review", "--period", "this month", "-f", "json").out)
    assert november["lost-reasons"] == [{"lost_reason": "price", "deals": 1, "amount": 10000.0, "share": 1.0}]
    table = october.ok("review", "--period", "2026Q4").out
    assert "Lost reasons" in table and "Cycle: won vs lost" in table and "3 lost" in table


def test_review_input_errors(october):
    assert "needs one --section" in october.fails(2, "review", "-f", "csv").err
    assert "not a section" in october.fails(2, "review", "--section", "people").err
    assert "not a period" in october.fails(1, "review", "--period", "someday").err


def test_cases_are_each_reps_largest_won_and_lost_with_their_timelines(october):
    rows = list(__import__("csv").DictReader(__import__("io").StringIO(
        october.ok("review", "cases", "--period", "2026-10", "-f", "csv").out)))
    assert list(rows[0]) == ["owner", "outcome", "deal_id", "customer", "amount", "cycle_days", "at", "type", "what",
                             "by", "detail"]
    # wang won D1 (100,000) and lost D2; zhao won D4 (80,000) and lost D3; D5 was lost in November
    cases = list(dict.fromkeys((r["owner"], r["outcome"], r["deal_id"], r["amount"]) for r in rows))
    assert cases == [("wang", "won", "1", "100000.00"), ("wang", "lost", "2", "20000.00"),
                     ("zhao", "won", "4", "80000.00"), ("zhao", "lost", "3", "50000.00")]
    d3 = [(r["type"], r["what"]) for r in rows if r["deal_id"] == "3"]
    assert d3 == [("stage", "created in lead"), ("touch", "call"), ("stage", "lead → lost")]
    assert {r["cycle_days"] for r in rows if r["deal_id"] == "1"} == {"8.0"}
    handout = october.ok("review", "cases", "--period", "2026-10", "-f", "markdown").out
    assert handout.count("#### Case: ") == 4 and "wang · won #1 D1 · 100,000 · 8 days" in handout
    assert "no deal closed" in october.ok("review", "cases", "--period", "2026-01").err
