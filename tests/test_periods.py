"""Period words for --since / --until / --period: half-open [start, end) windows."""

from datetime import datetime

import pytest

from salesflow.domain.errors import BadInput
from salesflow.domain.periods import parse_period

NOW = datetime(2026, 11, 25, 10, 0)  # a Wednesday in Q4


@pytest.mark.parametrize("text, start, end", [
    ("2026-10-01", "2026-10-01", "2026-10-02"),
    ("2026-10", "2026-10-01", "2026-11-01"),
    ("2026-12", "2026-12-01", "2027-01-01"),
    ("2026Q4", "2026-10-01", "2027-01-01"),
    ("2026q1", "2026-01-01", "2026-04-01"),
    ("this week", "2026-11-23", "2026-11-30"),
    ("last week", "2026-11-16", "2026-11-23"),
    ("this month", "2026-11-01", "2026-12-01"),
    ("last month", "2026-10-01", "2026-11-01"),
    ("last-month", "2026-10-01", "2026-11-01"),
    ("this quarter", "2026-10-01", "2027-01-01"),
    ("last quarter", "2026-07-01", "2026-10-01"),
    ("本月", "2026-11-01", "2026-12-01"),
    ("上月", "2026-10-01", "2026-11-01"),
    ("本季度", "2026-10-01", "2027-01-01"),
    ("上季度", "2026-07-01", "2026-10-01"),
    ("本周", "2026-11-23", "2026-11-30"),
])
def test_period_words(text, start, end):
    a, b = parse_period(text, NOW)
    assert (a.date().isoformat(), b.date().isoformat()) == (start, end)


def test_january_looks_back_across_the_year():
    jan = datetime(2026, 1, 10)
    assert [d.date().isoformat() for d in parse_period("last month", jan)] == ["2025-12-01", "2026-01-01"]
    assert [d.date().isoformat() for d in parse_period("上季度", jan)] == ["2025-10-01", "2026-01-01"]


@pytest.mark.parametrize("text", ["someday", "2026-13", "2026Q5", "2026-02-30", "Q4", ""])
def test_bad_periods(text):
    with pytest.raises(BadInput) as err:
        parse_period(text, NOW)
    assert err.value.hint
