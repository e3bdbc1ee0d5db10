"""Forecast: learned p, month buckets, targets, ranges, snapshots, accuracy, backtest."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from importlib.resources import files

import pytest

from conftest import at
from salesflow.domain.forecast import bucket, probabilities, simulate
from salesflow.domain.funnel import Path
from salesflow.domain.pipeline import parse_pipeline_toml

P = parse_pipeline_toml(files("salesflow.templates").joinpath("standard.toml").read_text(), "standard")
T0 = datetime(2026, 10, 1)


def closed(i, status, *stages, lost_from=None):
    events = tuple((s, T0 + timedelta(days=d)) for d, s in enumerate(stages))
    return Path(i, "", status, stages[-1], 0, T0, events[-1][1], lost_from, events)


HISTORY = [
    closed(1, "won", "lead", "qualified", "proposal", "negotiation", "won"),
    closed(2, "lost", "lead", "lost", lost_from="lead"),
    closed(3, "lost", "lead", "qualified", "proposal", "lost", lost_from="proposal"),
    closed(4, "won", "lead", "won"),  # won by force from lead: a win reached every stage
]


def test_p_by_hand_with_and_without_the_prior():
    got = probabilities(P, HISTORY, k=0)
    assert {s: (v.closed_reached, v.won_reached, round(v.probability, 4)) for s, v in got.items()} == {
        "lead": (4, 2, 0.5), "qualified": (3, 2, 0.6667), "proposal": (3, 2, 0.6667), "negotiation": (2, 2, 1.0)}
    got = probabilities(P, HISTORY, k=5)
    # (w + 5·prior) ÷ (n + 5)
    assert {s: round(v.probability, 4) for s, v in got.items()} == {
        "lead": round(2.5 / 9, 4), "qualified": round(3.25 / 8, 4), "proposal": round(4.5 / 8, 4),
        "negotiation": round(5.75 / 7, 4)}


@pytest.mark.parametrize("k", [0, 5])
def test_no_history_gives_the_priors(k):
    assert {s: v.probability for s, v in probabilities(P, [], k).items()} == {
        "lead": 0.1, "qualified": 0.25, "proposal": 0.5, "negotiation": 0.75}


@pytest.mark.parametrize("close, months, expected", [
    (None, None, "unscheduled"),
    (date(2026, 10, 31), None, "past-due"),
    (date(2026, 11, 1), None, "2026-11"),  # earlier this month: still this month
    (date(2026, 11, 30), None, "2026-11"),
    (date(2026, 12, 1), None, "2026-12"),
    (date(2027, 1, 31), 2, "2027-01"),
    (date(2027, 2, 1), 2, "later"),
    (date(2027, 2, 1), None, "2027-02"),
])
def test_buckets(close, months, expected):
    assert bucket(close, date(2026, 11, 23), months) == expected


def test_range_is_seeded_ordered_and_counts_certain_deals():
    deals = [(100_00, 1.0)] + [(i * 1_000, 0.3) for i in range(1, 200)]
    a, b = simulate(deals, 5000, seed=7), simulate(deals, 5000, seed=7)
    assert a == b and a[0] <= a[1] <= a[2]
    assert simulate(deals, 5000, seed=8) != a
    assert simulate([(100_00, 1.0)], 1000, seed=1) == (100_00, 100_00, 100_00)  # p = 1: always won
    assert min(a) >= 100_00
    assert simulate([(5, 0.0)], 100, seed=1) == (0, 0, 0)


# --- through the CLI ----------------------------------------------------------------------------

def lead(cli, name, owner, *extra):
    cli.ok("lead", "add", name, "--contact", "c", "--email", f"{name}@x.cn", "--source", "web", "--owner", owner, *extra)


@pytest.fixture
def book(team):
    at(team, "2025-09-01T09:00")
    lead(team, "Old", "wang")  # 1: won more than 365 days before now
    at(team, "2025-09-02T09:00").ok("win", "1", "--force", "--reason", "x")
    at(team, "2026-10-01T09:00")
    lead(team, "H1", "wang")  # 2: won
    lead(team, "H2", "zhao")  # 3: lost from lead
    at(team, "2026-10-02T09:00").ok("win", "2", "--force", "--reason", "x")
    team.ok("lose", "3", "--reason", "price")
    at(team, "2026-11-01T09:00")
    lead(team, "X1", "wang", "--amount", "10万", "--close", "2026-11-20")  # 4
    team.ok("advance", "4", "proposal", "--force", "--reason", "x")
    lead(team, "X2", "zhao", "--amount", "2万", "--close", "2026-12-05")  # 5: lead
    lead(team, "X3", "wang")  # 6: no amount, no close date
    lead(team, "X4", "zhao", "--amount", "5万", "--close", "2026-10-15")  # 7: past-due
    team.ok("advance", "7", "qualified", "--force", "--reason", "x")
    return at(team, "2026-11-10T09:00")


def test_forecast_by_month_with_learned_p(book):
    # closed in the last 365 days: H1 won (reached every stage), H2 lost from lead
    # p(lead) = (1 + 0.5)/(2 + 5); p(qualified) = (1 + 1.25)/(1 + 5); p(proposal) = (1 + 2.5)/(1 + 5)
    assert book.ok("forecast", "-f", "csv").out.splitlines() == [
        "month,deals,amount,weighted",
        "past-due,1,50000.00,18750.00",  # 5万 × 0.375
        "2026-11,1,100000.00,58333.33",  # 10万 × 0.58333…
        "2026-12,1,20000.00,4285.71",  # 2万 × 0.2142857…
        "unscheduled,1,0.00,0.00",
    ]
    stages = json.loads(book.ok("forecast", "--stages", "-f", "json").out)
    assert [(s["stage"], s["closed_reached"], s["won_reached"], s["probability"]) for s in stages] == [
        ("lead", 2, 1, 0.2143), ("qualified", 1, 1, 0.375), ("proposal", 1, 1, 0.5833), ("negotiation", 1, 1, 0.7917)]


def test_lookback_and_methods(book):
    longer = json.loads(book.ok("forecast", "--stages", "--lookback", "500d", "-f", "json").out)
    assert longer[0]["closed_reached"] == 3 and longer[0]["won_reached"] == 2  # the old win counts now
    short = json.loads(book.ok("forecast", "--stages", "--lookback", "30d", "-f", "json").out)
    assert [s["probability"] for s in short] == [0.1, 0.25, 0.5, 0.75]  # nothing closed in 30 days: priors
    assert "2026-11,1,100000.00,50000.00" in book.ok("forecast", "--method", "stage", "-f", "csv").out
    # k = 0: history alone; H1 reached proposal and won, so p(proposal) = 1 ÷ 1
    assert "2026-11,1,100000.00,100000.00" in book.ok("forecast", "--prior-weight", "0", "-f", "csv").out
    assert "not a method" in book.fails(2, "forecast", "--method", "magic").err
    assert "not a number of days" in book.fails(1, "forecast", "--lookback", "a year").err


def test_by_rep_sums_to_the_total_and_months_fold(book):
    total = {r["month"]: r for r in json.loads(book.ok("forecast", "-f", "json").out)}
    split = json.loads(book.ok("forecast", "--by", "rep", "-f", "json").out)
    for month, row in total.items():
        mine = [r for r in split if r["month"] == month]
        assert sum(r["deals"] for r in mine) == row["deals"]
        assert round(sum(r["weighted"] for r in mine), 2) == row["weighted"]
    assert {(r["month"], r["rep"]) for r in split} == {("past-due", "zhao"), ("2026-11", "wang"), ("2026-12", "zhao"),
                                                        ("unscheduled", "wang")}
    folded = [r["month"] for r in json.loads(book.ok("forecast", "--months", "0", "-f", "json").out)]
    assert folded == ["past-due", "2026-11", "later", "unscheduled"]


def test_targets_and_gaps(book):
    book.ok("target", "set", "2026-11", "20万")
    book.ok("target", "set", "2026-11", "5万", "--rep", "wang")
    assert book.ok("target", "list", "-f", "csv").out.splitlines() == [
        "month,rep,amount", "2026-11,,200000.00", "2026-11,wang,50000.00"]
    table = book.ok("forecast").out
    # November: nothing won yet, 58,333.33 weighted against 200,000: gap -141,666.67, behind
    line = next(x for x in table.splitlines() if x.startswith("2026-11"))
    assert "200,000" in line and "-141,666.67" in line and line.rstrip().endswith("behind")
    assert "not a month" in book.fails(1, "target", "set", "Nov", "5万").err
    assert "no rep" in book.fails(1, "target", "set", "2026-11", "5万", "--rep", "nobody").err


def test_range_columns_and_reproducibility(book):
    a = book.ok("forecast", "--range", "--seed", "3", "--runs", "2000", "-f", "csv").out
    assert a == book.ok("forecast", "--range", "--seed", "3", "--runs", "2000", "-f", "csv").out
    header, *rows = a.splitlines()
    assert header == "month,deals,amount,weighted,p10,p50,p90"
    for row in rows:
        p10, p50, p90 = (float(x) for x in row.split(",")[4:])
        assert p10 <= p50 <= p90


def test_snapshot_and_accuracy(book):
    assert "no month has ended" in book.ok("forecast", "accuracy").err
    at(book, "2026-10-20T09:00").ok("forecast", "snapshot")  # taken before November began
    at(book, "2026-10-20T18:00").ok("forecast", "snapshot")  # same day: replaces, not duplicates
    assert book.query("SELECT COUNT(DISTINCT taken_on) FROM forecast_snapshot") == [(1,)]
    at(book, "2026-11-15T09:00").ok("win", "4", "--force", "--reason", "signed")  # 10万 won in November
    rows = json.loads(at(book, "2026-12-02T09:00").ok("forecast", "accuracy", "-f", "json").out)
    assert len(rows) >= 1
    nov = next(r for r in rows if r["month"] == "2026-11")
    assert nov["actual"] == 100000.0 and nov["snapshot"] == "2026-10-20"
    assert nov["bias"] == round(nov["forecast"] - 100000.0, 2)
    per_rep = json.loads(book.ok("forecast", "accuracy", "--by", "rep", "-f", "json").out)
    assert {r["rep"] for r in per_rep if r["month"] == "2026-11"} >= {"wang"}


def test_backtest_uses_the_amount_known_then(team):
    at(team, "2026-09-01T09:00")
    lead(team, "B1", "wang", "--amount", "10万", "--close", "2026-10-15")
    team.ok("advance", "1", "negotiation", "--force", "--reason", "x")
    lead(team, "B2", "zhao", "--amount", "3万", "--close", "2027-03-01")  # open, but closes beyond the horizon
    at(team, "2026-09-20T09:00").ok("set", "1", "amount=20万")  # after the as-of date
    at(team, "2026-10-10T09:00").ok("win", "1", "--force", "--reason", "signed")
    at(team, "2026-10-12T09:00")
    lead(team, "Late", "zhao", "--amount", "1万")  # created after the as-of date
    team.ok("win", "3", "--force", "--reason", "quick")
    rows = json.loads(at(team, "2026-11-30T09:00").ok(
        "forecast", "backtest", "--as-of", "2026-09-10", "--horizon", "60d", "--method", "stage", "-f", "json").out)
    assert rows == [{"as_of": "2026-09-10", "horizon_end": "2026-11-09", "open_deals": 2, "in_horizon": 1,
                     "forecast": 75000.0,  # the 10万 known on 09-10 × 0.75 (negotiation), not the later 20万
                     "actual": 200000.0, "bias": -125000.0, "error_pct": -0.625, "won_all": 210000.0}]
    assert "not in the past" in team.fails(1, "forecast", "backtest", "--as-of", "2027-01-01").err
