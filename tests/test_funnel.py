"""Funnel arithmetic: cohort, "reached" semantics, rates, time in stage, summary."""

from __future__ import annotations

import re

import json
from datetime import datetime, timedelta
from importlib.resources import files

import pytest

from conftest import at

from salesflow.domain.funnel import Path, days_in_stages, funnel, furthest, hollow, summary
from salesflow.domain.pipeline import parse_pipeline_toml

P = parse_pipeline_toml(files("salesflow.templates").joinpath("standard.toml").read_text(), "standard")
T0 = datetime(2026, 10, 1, 9, 0)


def path(i, status, stage, *events, lost_from=None, amount=0, group="g"):
    evs = tuple((s, T0 + timedelta(days=d)) for s, d in events)
    closed = evs[-1][1] if status != "open" else None
    return Path(i, group, status, stage, amount, T0, closed, lost_from, evs)


PATHS = [
    path(1, "won", "won", ("lead", 0), ("qualified", 2), ("proposal", 5), ("negotiation", 9), ("won", 10), amount=100),
    path(2, "lost", "lost", ("lead", 0), ("proposal", 1), ("lost", 4), lost_from="proposal"),  # forced skip
    path(3, "open", "qualified", ("lead", 0), ("qualified", 1), ("proposal", 3), ("qualified", 4)),  # moved back
    path(4, "open", "proposal", ("lead", 0), ("qualified", 2), ("lost", 3), ("qualified", 6), ("proposal", 8),
         amount=50),  # lost from qualified, reopened, moved on
    path(5, "lost", "lost", ("lead", 0), ("lost", 1), lost_from="lead"),
    path(6, "open", "lead", ("lead", 0), amount=7),
]


def test_furthest_reached():
    assert [furthest(P, p) for p in PATHS] == [4, 2, 2, 2, 0, 0]


def test_days_in_stage_sum_repeated_visits_and_end_at_a_loss():
    assert days_in_stages(PATHS[3]) == {"lead": 2.0, "qualified": 3.0, "lost": 3.0}
    assert days_in_stages(PATHS[1]) == {"lead": 1.0, "proposal": 3.0}  # left proposal when it was lost
    assert days_in_stages(PATHS[5]) == {}  # still in its first stage: left nothing yet


def test_funnel_rows_by_hand():
    rows = funnel(P, PATHS)
    assert [(r.stage, r.reached, r.open_now, r.open_amount) for r in rows] == [
        ("lead", 6, 1, 7), ("qualified", 4, 1, 0), ("proposal", 4, 1, 50), ("negotiation", 1, 0, 0), ("won", 1, 0, 0)]
    assert [None if r.next_rate is None else round(r.next_rate, 4) for r in rows] == [0.6667, 1.0, 0.25, 1.0, None]
    assert [round(r.cumulative_rate, 4) for r in rows] == [1.0, 0.6667, 0.6667, 0.1667, 0.1667]
    # lead: 2, 1, 1, 2, 1 days; qualified: 3, 2, 3 (#4: 1 + 2); proposal: 4, 3 (to the loss), 1; negotiation: 1
    assert [(r.avg_days and round(r.avg_days, 4), r.median_days) for r in rows] == [
        (1.4, 1.0), (2.6667, 3.0), (2.6667, 3.0), (1.0, 1.0), (None, None)]


def test_summary_by_hand():
    s = summary(PATHS)
    assert (s.deals, s.won, s.lost, round(s.win_rate, 4), s.won_amount, s.avg_cycle_days, s.median_cycle_days) == (
        6, 1, 2, 0.3333, 100, 10.0, 10.0)


def test_empty_groups_and_denominators_give_none_not_errors():
    rows = funnel(P, [])
    assert [(r.reached, r.next_rate, r.cumulative_rate, r.avg_days) for r in rows] == [(0, None, None, None)] * 5
    s = summary([])
    assert (s.deals, s.win_rate, s.avg_cycle_days) == (0, None, None)
    only_lost = funnel(P, [PATHS[4]])
    assert only_lost[1].next_rate is None  # nobody reached qualified: 0 ÷ 0


def test_hollow_stages():
    team = funnel(P, PATHS)
    weak = funnel(P, [PATHS[0], PATHS[4], PATHS[5], path(7, "lost", "lost", ("lead", 0), ("lost", 1), lost_from="lead")])
    assert hollow(weak, team) == {"lead"}  # 1 of 4 reached qualified: 0.25 < 0.6667 / 2
    assert hollow(team, team) == set()


# --- the same through the command line, with a table per rep worked out by hand -----------------


@pytest.fixture
def october(team):
    at(team, "2026-10-01T09:00")
    for name, owner, email in (("W1", "wang", "w1@x.cn"), ("W2", "wang", "w2@x.cn"), ("W3", "wang", "w3@x.cn"),
                               ("Z1", "zhao", "z1@x.cn"), ("Z2", "zhao", "z2@x.cn")):
        team.ok("lead", "add", name, "--contact", "c", "--email", email, "--source", "expo" if name < "X" else "web",
                "--owner", owner)
    at(team, "2026-10-02T09:00")
    team.ok("lose", "2", "--reason", "price")  # W2 lost from lead after 1 day
    team.ok("set", "5", "amount=5万")
    team.ok("advance", "5", "proposal", "--force", "--reason", "existing customer")  # Z2 skips qualified
    at(team, "2026-10-03T09:00")
    team.ok("set", "1", "need=x", "budget=y", "decision_maker=z")
    team.ok("advance", "1", "qualified")
    at(team, "2026-10-04T09:00")
    team.ok("set", "4", "need=x", "budget=y", "decision_maker=z")
    team.ok("advance", "4", "qualified")
    at(team, "2026-10-05T09:00")
    team.ok("set", "1", "amount=12万", "close=2026-10-30")
    team.ok("advance", "1", "proposal")
    team.ok("touch", "1", "--kind", "quote", "--did", "confirm-decision-maker")
    at(team, "2026-10-06T09:00")
    team.ok("lose", "4", "--reason", "competitor")  # Z1 lost from qualified after 2 days
    at(team, "2026-10-08T09:00")
    team.ok("advance", "1", "negotiation")
    at(team, "2026-10-09T09:00")
    team.ok("touch", "1", "--kind", "meeting", "--note", "signed")
    team.ok("win", "1")  # W1: 2 + 2 + 3 + 1 days, cycle 8 days
    return at(team, "2026-11-02T09:00")


BY_REP = [
    "rep,stage,reached,next_rate,cumulative_rate,open_now,open_amount,avg_days,median_days",
    "wang,lead,3,0.3333,1.0,1,0.00,1.5,1.5",
    "wang,qualified,1,1.0,0.3333,0,0.00,2.0,2.0",
    "wang,proposal,1,1.0,0.3333,0,0.00,3.0,3.0",
    "wang,negotiation,1,1.0,0.3333,0,0.00,1.0,1.0",
    "wang,won,1,,0.3333,0,0.00,,",
    "zhao,lead,2,1.0,1.0,0,0.00,2.0,2.0",
    "zhao,qualified,2,0.5,1.0,0,0.00,2.0,2.0",  # Z2's skip reached qualified
    "zhao,proposal,1,0.0,0.5,1,50000.00,,",  # Z2 is still there: no finished visit
    "zhao,negotiation,0,,0.0,0,0.00,,",
    "zhao,won,0,,0.0,0,0.00,,",
]


def test_funnel_by_rep_csv_is_exact(october):
    assert october.ok("funnel", "--by", "rep", "-f", "csv").out.splitlines() == BY_REP


def test_funnel_by_rep_json_matches(october):
    rows = json.loads(october.ok("funnel", "--by", "rep", "-f", "json").out)
    assert rows[1] == {"rep": "wang", "stage": "qualified", "reached": 1, "next_rate": 1.0, "cumulative_rate": 0.3333,
                       "open_now": 0, "open_amount": 0.0, "avg_days": 2.0, "median_days": 2.0}
    assert rows[7]["open_amount"] == 50000.0 and rows[7]["avg_days"] is None


def test_funnel_table_draws_bars_flags_hollow_and_states_the_window(october):
    out = october.ok("funnel", "--by", "rep", "--color", "always").out  # as on a terminal: bars
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "Rep: zhao" in out and "████" in out
    assert "█" not in october.ok("funnel", "--by", "rep").out  # piped: plain, no drawings
    zhao = out[out.index("Rep: zhao"):]
    proposal = next(line for line in zhao.splitlines() if line.startswith("Proposal"))
    assert proposal.endswith("hollow")  # 0% onward vs the team's 50%
    assert not any(line.endswith("hollow") for line in zhao.splitlines() if not line.startswith("Proposal"))
    assert "cohort: deals created all time" in out


def test_funnel_summary_by_rep(october):
    assert october.ok("funnel", "--summary", "--by", "rep", "-f", "csv").out.splitlines() == [
        "rep,deals,won,lost,win_rate,won_amount,avg_cycle_days,median_cycle_days",
        "wang,3,1,1,0.5,120000.00,8.0,8.0",
        "zhao,2,0,1,0.0,0.00,,",
    ]


def test_cohort_window_and_other_groupings(october):
    assert october.ok("funnel", "--since", "2026-10-02", "-f", "csv").out.splitlines()[1:] == [
        "lead,0,,,0,0.00,,", "qualified,0,,,0,0.00,,", "proposal,0,,,0,0.00,,", "negotiation,0,,,0,0.00,,",
        "won,0,,,0,0.00,,"]  # an empty cohort: empty cells, no error
    assert october.ok("funnel", "--since", "2026-10", "--until", "2026-11", "-f", "csv").out == \
        october.ok("funnel", "-f", "csv").out
    by_source = october.ok("funnel", "--by", "source", "--summary", "-f", "csv").out.splitlines()
    assert by_source[1:] == ["expo,3,1,1,0.5,120000.00,8.0,8.0", "web,2,0,1,0.0,0.00,,"]
    assert october.ok("funnel", "--by", "month", "-f", "csv").out.splitlines()[1].startswith("2026-10,lead,5,")
    assert "not a grouping" in october.fails(1, "funnel", "--by", "colour").err
    assert "not after" in october.fails(1, "funnel", "--since", "2026-11", "--until", "2026-10").err
    assert "not a period" in october.fails(1, "funnel", "--since", "someday").err
