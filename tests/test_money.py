"""Amounts as people type them become exact integer minor units."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesflow.domain.errors import BadInput
from salesflow.domain.money import MAX_MINOR, format_amount, parse_amount, to_major_str


@pytest.mark.parametrize("text, minor", [
    ("120000", 12_000_000),
    ("120,000", 12_000_000),
    ("12万", 12_000_000),
    ("1.2亿", 12_000_000_000),
    ("15k", 1_500_000),
    ("15K", 1_500_000),
    ("1.5m", 150_000_000),
    ("¥120,000", 12_000_000),
    ("￥120,000", 12_000_000),
    ("12.5万元", 12_500_000),
    ("99.99", 9_999),
    ("0", 0),
    ("１２万", 12_000_000),  # full-width digits from a Chinese IME
    ("$1,200.50", 120_050),
])
def test_amount_forms(text, minor):
    assert parse_amount(text) == minor


@pytest.mark.parametrize("text", ["-5", "abc", "", "1,2,3", "12,00", "nan", "inf", "1e5", "0.001", "1.234",
                                  "99999999999999999999", "12万万", "--1"])
def test_bad_amounts_are_refused_with_a_hint(text):
    with pytest.raises(BadInput) as err:
        parse_amount(text)
    assert err.value.hint or "negative" in err.value.message or "precision" in err.value.message


def test_formatting_is_exact():
    assert to_major_str(12_000_000) == "120000.00"
    assert to_major_str(5) == "0.05"
    assert to_major_str(None) == "0.00"
    assert format_amount(12_000_000) == "120,000"
    assert format_amount(9_950) == "99.50"
    # gaps and biases are negative: the sign applies to the whole amount, never floor division
    assert to_major_str(-14_166_667) == "-141666.67"
    assert format_amount(-14_166_667) == "-141,666.67"
    assert format_amount(-5) == "-0.05" and to_major_str(-100) == "-1.00"


@given(st.text(max_size=30))
def test_any_text_gives_an_amount_or_one_clean_error(text):
    try:
        value = parse_amount(text)
    except BadInput:
        return
    assert isinstance(value, int) and value >= 0


@given(st.integers(min_value=0, max_value=MAX_MINOR))
def test_major_string_round_trips(minor):
    assert parse_amount(to_major_str(minor)) == minor
