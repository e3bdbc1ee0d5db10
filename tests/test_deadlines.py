"""Deadline arithmetic and urgency as pure functions: literal dates, exact numbers."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

import pytest
from hypothesis import given, strategies as st

from salesflow.domain.deadlines import DueFacts, breaches, evaluate, is_listed, next_action
from salesflow.domain.pipeline import parse_pipeline_toml
from salesflow.domain.urgency import amount_factor, due_factor, score, terms, urgency

STANDARD = parse_pipeline_toml(files("salesflow.templates").joinpath("standard.toml").read_text(), "standard")
MON = datetime(2026, 11, 2, 9, 0)


def facts(**kw) -> DueFacts:
    base = dict(deal_id=1, pipeline="standard", stage="lead", grade="B", owner="wang", created_at=MON,
                stage_entered_at=MON)
    return DueFacts(**(base | kw))


def rules_at(f: DueFacts, now: datetime, days: int = 0) -> dict[str, str]:
    return {d.rule: d.at.isoformat(timespec="minutes") + (f" ({d.suppressed})" if d.suppressed else "")
            for d in evaluate(f, STANDARD, now, days).deadlines}


@pytest.mark.parametrize("grade, first, cadence", [("A", "2026-11-03", "2026-11-12"), ("B", "2026-11-05", "2026-11-19"),
                                                    ("C", "2026-11-09", "2026-12-05")])
def test_grade_windows(grade, first, cadence):
    assert rules_at(facts(grade=grade), MON)["first-touch"] == f"{first}T09:00"
    touched = facts(grade=grade, last_touch=datetime(2026, 11, 5, 14, 0))
    assert rules_at(touched, MON)["cadence"] == f"{cadence}T14:00"
    assert "first-touch" not in rules_at(touched, MON)


def test_stage_idle_is_suppressed_only_by_a_plan_not_yet_past():
    f = facts(last_touch=datetime(2026, 11, 3, 10, 0), next_followup=datetime(2026, 11, 10))
    assert rules_at(f, datetime(2026, 11, 4))["stage-idle"] == "2026-11-06T10:00 (a follow-up is planned)"
    due = evaluate(f, STANDARD, datetime(2026, 11, 6, 12, 0))
    assert "stage-idle" not in due.reasons  # suppressed: the plan (11-10) is ahead
    late = evaluate(f, STANDARD, datetime(2026, 11, 11, 8, 0))  # the plan has passed: idle counts again
    assert late.reasons == ("stage-idle", "scheduled")
    assert late.due_date.isoformat() == "2026-11-06"


def test_visit_notes_window_crosses_midnight_and_horizons_are_dates():
    visit = datetime(2026, 11, 4, 23, 30)
    f = facts(last_touch=visit, bare_visits=(visit,))
    assert rules_at(f, MON)["visit-notes"] == "2026-11-05T23:30"
    # 00:10 on the 5th: the deadline is 23:30 today — listed today, not overdue, not yet breached
    now = datetime(2026, 11, 5, 0, 10)
    due = evaluate(f, STANDARD, now)
    assert due.reasons == ("visit-notes",) and is_listed(due, now, 0)
    assert breaches(due, now) == []
    assert breaches(due, datetime(2026, 11, 5, 23, 31))[0].rule == "visit-notes"
    assert next_action(due, now) == "write visit notes (visit on 11-04 23:30)"


def test_unassigned_window_crossing_midnight_falls_on_the_next_date():
    f = facts(owner=None, created_at=datetime(2026, 11, 2, 23, 50), stage_entered_at=datetime(2026, 11, 2, 23, 50))
    assert rules_at(f, MON)["unassigned"] == "2026-11-03T00:20"
    assert not is_listed(evaluate(f, STANDARD, datetime(2026, 11, 2, 23, 55)), datetime(2026, 11, 2, 23, 55), 0)
    assert is_listed(evaluate(f, STANDARD, datetime(2026, 11, 2, 23, 55), 1), datetime(2026, 11, 2, 23, 55), 1)


def test_month_end_and_leap_day():
    f = facts(grade="A", last_touch=datetime(2028, 2, 25, 16, 0), stage="proposal",
              stage_entered_at=datetime(2028, 2, 20))
    assert rules_at(f, datetime(2028, 2, 26)) == {"stage-idle": "2028-03-03T16:00", "cadence": "2028-03-03T16:00"}
    f = facts(grade="B", created_at=datetime(2028, 2, 27, 8, 0), stage_entered_at=datetime(2028, 2, 27, 8, 0))
    assert rules_at(f, datetime(2028, 2, 27))["first-touch"] == "2028-03-01T08:00"  # via the 29th


def test_due_date_is_the_earliest_deadline_and_reasons_stay_within_the_horizon():
    f = facts(next_followup=datetime(2026, 11, 20), last_touch=datetime(2026, 11, 2, 10, 0))
    now = datetime(2026, 11, 6, 9, 0)
    due = evaluate(f, STANDARD, now, days=0)
    assert due.due_date.isoformat() == "2026-11-16"  # cadence (B, 14 days) before the plan on 11-20
    assert due.reasons == () and not is_listed(due, now, 0)
    week = evaluate(f, STANDARD, now, days=14)
    assert week.reasons == ("cadence", "scheduled")


def test_closed_stage_without_idle_limit_has_no_idle_rule():
    assert "stage-idle" not in rules_at(facts(stage="won"), MON)


@pytest.mark.parametrize("days, factor", [(None, 0.0), (-30, 0.2), (-14, 0.2), (-7, 0.4666666666666667),
                                          (0, 0.7333333333333334), (7, 1.0), (40, 1.0)])
def test_due_factor(days, factor):
    assert due_factor(days) == pytest.approx(factor)


def test_amount_factor_and_a_full_score():
    assert amount_factor(0) == 0
    assert amount_factor(100_000_000) == pytest.approx(1.0)  # 1,000,000.00
    assert amount_factor(10**15) == 1.0
    items = terms(days_overdue=3, grade="A", probability=0.5, amount=100_000_000, breaches=2, weights={})
    assert [(t.name, round(t.score, 4)) for t in items] == [
        ("due", 10.1714), ("grade", 3.0), ("stage", 2.0), ("amount", 3.0), ("breach", 2.0)]
    assert score(items) == 20.17  # 12 × (0.2 + 0.8 × 17/21) + 3 + 2 + 3 + 2
    assert score(terms(days_overdue=3, grade="A", probability=0.5, amount=100_000_000, breaches=2,
                       weights={"grade": 0.0})) == 17.17


@given(days=st.one_of(st.none(), st.integers(-400, 400)), grade=st.sampled_from(["A", "B", "C", "X"]),
       probability=st.floats(0, 1), amount=st.integers(0, 10**15), breaches=st.integers(0, 9),
       weights=st.dictionaries(st.sampled_from(["due", "grade", "stage", "amount", "breach"]), st.floats(0, 100)))
def test_the_urgency_total_without_words_equals_the_sum_of_the_terms_why_prints(days, grade, probability, amount,
                                                                                breaches, weights):
    args = dict(days_overdue=days, grade=grade, probability=probability, amount=amount, breaches=breaches, weights=weights)
    assert urgency(**args) == score(terms(**args))


def test_idle_since_is_the_later_of_entering_the_stage_and_the_last_touch():
    from salesflow.domain.deadlines import idle_since

    assert idle_since(facts()) == MON
    assert idle_since(facts(last_touch=datetime(2026, 11, 4, 8, 0))) == datetime(2026, 11, 4, 8, 0)
    assert idle_since(facts(last_touch=datetime(2026, 10, 1))) == MON  # a touch before the stage does not count
