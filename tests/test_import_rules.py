"""The import's rules (app/imports/rules.py) with literal rows and a literal plan: no database, no file."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime as D
from decimal import Decimal

import pytest

from salesflow.app.currency import Currency
from salesflow.app.imports.common import Problem, Unknown
from salesflow.app.imports.plan import make_plan
from salesflow.app.imports.rules import amount_of, close_times, draft, reason_of, row_key, status_and_stage
from salesflow.app.setup import template_source
from salesflow.domain.pipeline import parse_pipeline_toml
from salesflow.ingest.presets import plan_columns

STANDARD = parse_pipeline_toml(template_source("standard"), "standard")
NOW = D(2026, 11, 23, 10, 0)


def plan(*header: str, maps=(), **kw):
    cols = plan_columns("deals", list(header), None, list(maps) or [(h, h) for h in header])
    return make_plan([STANDARD], "standard", cols, now=NOW, **kw)


def test_status_and_stage_from_one_or_two_columns():
    p = plan("stage", "status")
    stages = p.pipelines["standard"]
    assert status_and_stage(None, "Proposal", stages, p.statuses) == ("open", "proposal")
    assert status_and_stage("won", None, stages, p.statuses) == ("won", None)
    assert status_and_stage("lost", "qualified", stages, p.statuses) == ("lost", "qualified")  # lost at qualified
    assert status_and_stage(None, "won", stages, p.statuses) == ("won", "won")  # a won stage says the status
    with pytest.raises(Problem, match="is won but status 'lost'"):
        status_and_stage("lost", "won", stages, p.statuses)
    with pytest.raises(Unknown) as unknown:
        status_and_stage(None, "Signing", stages, p.statuses)
    assert unknown.value.pairs == (("stage", "Signing"),)
    with pytest.raises(Unknown):
        status_and_stage("pending", None, stages, p.statuses)


def test_times_the_file_does_not_give_are_filled_in_and_marked():
    warn = Counter()
    created, closed, guessed = close_times("won", D(2026, 1, 5), date(2026, 3, 1), None, NOW, warn)
    assert (created, closed, guessed) == (D(2026, 1, 5), D(2026, 3, 1), "closed")
    created, closed, guessed = close_times("lost", None, None, None, NOW, warn)
    assert (created, closed, guessed) == (NOW, NOW, "created closed")
    created, closed, guessed = close_times("open", None, date(2027, 1, 1), None, NOW, warn)
    assert (created, closed, guessed) == (NOW, None, "created")  # a future expected close is not a created date
    created, closed, guessed = close_times("won", D(2026, 5, 1), None, D(2026, 4, 1), NOW, warn)
    assert (created, closed, guessed) == (D(2026, 4, 1), D(2026, 4, 1), None)  # closed before created
    assert sum(warn.values()) == 5  # one for each time filled in or moved
    with pytest.raises(Problem, match="in the future"):
        close_times("open", D(2027, 1, 1), None, None, NOW, warn, created_raw="2027-01-01")


def test_keys_prefer_this_databases_id_then_the_files_then_a_hash_of_what_the_row_says():
    assert row_key(7, "X-1", "甲", None, "t", "2026-01-01") == "id:7"
    assert row_key(None, "X-1", "甲", None, "t", "2026-01-01") == "X-1"
    one = row_key(None, None, "甲", "王", "t", "2026-01-01")
    assert one.startswith("row:") and len(one) == 20
    assert one == row_key(None, None, "甲", "王", "t", "2026-01-01")
    assert one != row_key(None, None, "甲", "王", "t", "2026-01-02")


def test_lost_reasons_by_wording_and_a_missing_one_is_unknown():
    p = plan("lost_reason", reason_maps=("Budget cut=no-budget",))
    stages, warn = p.pipelines["standard"], Counter()
    assert reason_of("价格太高", stages, warn) == "price"
    assert reason_of("Chose a competitor", stages, warn) == "competitor"
    assert reason_of("budget  CUT", stages, warn) == "no-budget"
    assert reason_of("", stages, warn) == "unknown" and warn
    with pytest.raises(Unknown):
        reason_of("the moon was full", stages, warn)


def test_amounts_in_another_currency_need_a_rate_and_keep_the_original():
    cny = plan("amount", "currency")
    assert amount_of("12000", None, cny) == (1_200_000, {})
    assert amount_of("12万元", None, cny) == (12_000_000, {})
    assert amount_of("12,000", "CNY", cny) == (1_200_000, {})
    with pytest.raises(Unknown) as unknown:
        amount_of("12000", "USD", cny)
    assert unknown.value.pairs == (("currency", "USD"),)
    with pytest.raises(Unknown):
        amount_of("$12,000", None, cny)  # a mark in the amount is a currency too
    rated = plan("amount", "currency", currency=Currency("CNY", {"USD": Decimal("7.10")}))
    assert amount_of("12,000", "usd", rated) == (8_520_000, {"currency": "USD", "amount_original": "12000.00"})
    assert amount_of("$1.5k", None, rated) == (1_065_000, {"currency": "USD", "amount_original": "1500.00"})
    with pytest.raises(Problem, match="currency column says EUR"):
        amount_of("$100", "EUR", rated)
    with pytest.raises(Problem, match="not a currency code"):
        amount_of("100", "dollars", rated)


def test_a_row_with_its_last_activity_counts_as_touched_and_one_without_is_due_for_review():
    p = plan("title", "stage", "created_at", "last_activity")
    warn = Counter()
    touched = draft({"title": "A", "stage": "proposal", "created_at": "2025-01-01", "last_activity": "2026-11-01"},
                    p, {}, warn)
    assert (touched.last_activity_at, touched.review_from) == ("2026-11-01T00:00:00", None)
    quiet = draft({"title": "B", "stage": "proposal", "created_at": "2025-01-01", "last_activity": ""}, p, {}, warn)
    assert (quiet.last_activity_at, quiet.review_from) == (None, "2026-11-23T10:00:00")
    closed = draft({"title": "C", "stage": "won", "created_at": "2025-01-01"}, p, {}, warn)
    assert closed.review_from is None  # nothing to follow up
    with pytest.raises(Problem, match="last activity date '2027-01-01' is in the future"):
        draft({"title": "D", "last_activity": "2027-01-01"}, p, {}, warn)


def test_an_unknown_stage_and_an_unknown_owner_of_one_row_are_said_together():
    p = plan("stage", "owner")
    with pytest.raises(Unknown) as unknown:
        draft({"stage": "Signing", "owner": "Nobody"}, p, {"wang": "wang"}, Counter())
    assert unknown.value.pairs == (("stage", "Signing"), ("owner", "Nobody"))
    ok = draft({"stage": "lead", "owner": "WANG"}, plan("stage", "owner"), {"wang": "wang"}, Counter())
    assert ok.owner == "wang" and ok.new_owner is None
