"""Human date input, resolved against a pinned `now`."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow.domain.dates import parse_now, parse_when
from salesflow.domain.errors import BadInput

MONDAY = datetime(2026, 11, 2, 9, 0)  # a Monday


@pytest.mark.parametrize("text, expected", [
    ("2026-11-25", "2026-11-25"),
    ("today", "2026-11-02"),
    ("tomorrow", "2026-11-03"),
    ("fri", "2026-11-06"),
    ("friday", "2026-11-06"),
    ("mon", "2026-11-09"),  # the next such day *after* today
    ("周五", "2026-11-06"),
    ("星期五", "2026-11-06"),
    ("下周五", "2026-11-13"),
    ("next week fri", "2026-11-13"),
    ("+3d", "2026-11-05"),
    ("+2w", "2026-11-16"),
    ("+1m", "2026-12-02"),
    ("in 3 days", "2026-11-05"),
    ("in 2 weeks", "2026-11-16"),
    ("eow", "2026-11-06"),
    ("eom", "2026-11-30"),
    ("eoq", "2026-12-31"),
    ("2026年11月25日", "2026-11-25"),
    ("11月25日", "2026-11-25"),
    ("明天", "2026-11-03"),
    ("后天", "2026-11-04"),
    ("3天后", "2026-11-05"),
    ("月底", "2026-11-30"),
    ("2026/11/25", "2026-11-25"),
])
def test_each_form(text, expected):
    when = parse_when(text, MONDAY)
    assert when.day.isoformat() == expected
    assert when.at.hour == 0 and when.at.minute == 0  # a bare date means 00:00


def test_time_of_day_is_kept():
    assert parse_when("tomorrow 14:30", MONDAY).at == datetime(2026, 11, 3, 14, 30)
    assert parse_when("2026-11-25T10:00", MONDAY).at == datetime(2026, 11, 25, 10, 0)
    assert parse_when("fri 3pm", MONDAY).at == datetime(2026, 11, 6, 15, 0)
    assert parse_when("tomorrow", MONDAY).echo() == "2026-11-03 (Tue)"


@pytest.mark.parametrize("now, text, expected", [
    (datetime(2026, 1, 31), "+1m", "2026-02-28"),  # month end clamps
    (datetime(2028, 1, 31), "+1m", "2028-02-29"),  # leap year
    (datetime(2028, 2, 10), "eom", "2028-02-29"),
    (datetime(2027, 2, 10), "eom", "2027-02-28"),
    (datetime(2026, 12, 30), "1月5日", "2027-01-05"),  # a year-less date that has passed means next year
    (datetime(2026, 11, 6), "fri", "2026-11-13"),  # on a Friday, "fri" is next week's
    (datetime(2026, 11, 8), "eow", "2026-11-13"),  # on a Sunday, the coming Friday
    (datetime(2026, 2, 15), "eoq", "2026-03-31"),
    (datetime(2026, 5, 1), "eoq", "2026-06-30"),
])
def test_month_ends_and_edges(now, text, expected):
    assert parse_when(text, now).day.isoformat() == expected


def test_past_direction_for_touch_times():
    assert parse_when("fri", MONDAY, "past").day.isoformat() == "2026-10-30"
    assert parse_when("昨天", MONDAY, "past").day.isoformat() == "2026-11-01"
    assert parse_when("3 days ago", MONDAY, "past").day.isoformat() == "2026-10-30"
    assert parse_when("12月30日", MONDAY, "past").day.isoformat() == "2025-12-30"


@pytest.mark.parametrize("text", ["03/04/2025", "5", "3/4", "4.5", "13/25", "2026-13-01", "2026-02-30", "2027-02-29", "someday",
                                  "25:00", "tomorrow 24:00", "", "13pm"])
def test_ambiguous_and_impossible_dates_are_refused(text):
    with pytest.raises(BadInput) as err:
        parse_when(text, MONDAY)
    assert err.value.hint


def test_leap_day_is_a_date():
    assert parse_when("2028-02-29", MONDAY).day.isoformat() == "2028-02-29"


def test_now_forms():
    assert parse_now("2026-11-02") == datetime(2026, 11, 2, 0, 0)
    assert parse_now("2026-11-02T09:30") == datetime(2026, 11, 2, 9, 30)
    with pytest.raises(BadInput):
        parse_now("next tuesday")


@given(st.text(max_size=25))
def test_any_text_gives_a_date_or_one_clean_error(text):
    try:
        when = parse_when(text, MONDAY)
    except BadInput as err:
        assert err.message and "\n" not in err.message
        return
    assert isinstance(when.at, datetime)


TUESDAY = datetime(2026, 12, 1, 9, 0)  # 2026-12-01 is a Tuesday


@pytest.mark.parametrize("text, expected", [
    ("明天下午3点", "2026-12-02 15:00"), ("下午3点", "2026-12-01 15:00"), ("周五上午十点半", "2026-12-04 10:30"),
    ("晚上8点30分", "2026-12-01 20:30"), ("中午1点", "2026-12-01 13:00"), ("下周一上午9点", "2026-12-07 09:00"),
    ("next monday", "2026-12-07 00:00"), ("Dec 25", "2026-12-25 00:00"), ("december 25 3pm", "2026-12-25 15:00"),
    ("25 dec 2027", "2027-12-25 00:00"), ("12/25", "2026-12-25 00:00"), ("25/12", "2026-12-25 00:00"),
    ("11/25", "2027-11-25 00:00"), ("12/25/2026", "2026-12-25 00:00"), ("tomorrow 3:30pm", "2026-12-02 15:30"),
])
def test_what_people_type_for_a_time(text, expected):
    assert parse_when(text, TUESDAY).at.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text, expected", [
    ("last 30 days", ("2026-11-02", "2026-12-02")), ("近7天", ("2026-11-25", "2026-12-02")),
    ("2026年10月", ("2026-10-01", "2026-11-01")), ("2026年Q4", ("2026-10-01", "2027-01-01")),
    ("2026年第四季度", ("2026-10-01", "2027-01-01")), ("2025年", ("2025-01-01", "2026-01-01")),
])
def test_period_words_people_type(text, expected):
    from salesflow.domain.periods import parse_period

    start, end = parse_period(text, TUESDAY)
    assert (start.date().isoformat(), end.date().isoformat()) == expected


def test_an_impossible_month_says_so():
    with pytest.raises(BadInput) as err:
        parse_when("2026-13-01", MONDAY)
    assert err.value.hint == "check the month"
    with pytest.raises(BadInput) as err:
        parse_when("13/25", MONDAY)
    assert "does not exist" in err.value.message
