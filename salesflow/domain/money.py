"""Money: parse what people type into integer minor units, format at the last inch of output.

Amounts are never floats. `12万` is 120,000 major units = 12,000,000 minor units (fen/cents).
"""

from __future__ import annotations

import re
import unicodedata
from salesflow.domain.errors import BadInput

MINOR_PER_MAJOR = 100
# One deal at most 1,000,000,000,000.00 (10000亿): far beyond any real deal, and low enough that SQLite's
# integer SUM over every deal of a big database cannot overflow (2**63 minor units is 92,233 such deals).
MAX_MINOR = 10**14
MAX_HINT = "amounts up to 1,000,000,000,000.00 (10000亿)"

_SUFFIXES = {
    "": 1,
    "k": 1_000,
    "千": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "百万": 1_000_000,
    "w": 10_000,
    "万": 10_000,
    "亿": 100_000_000,
}
_CURRENCY = r"(?:[¥$€£]|rmb|cny|usd|eur)?"
_AMOUNT = re.compile(
    rf"^{_CURRENCY}\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<suffix>k|m|mn|w|千|百万|万|亿)?\s*(?:元|块|rmb|cny)?$"
)
_HINT = "write it like 120000, 120,000, 12万, 1.2亿, 15k, 1.5m or ¥120,000"


def parse_amount(text: str) -> int:
    """`'12万'` → 12_000_000 (minor units). Refuses negatives, NaN, infinity, overflow, sub-cent values."""
    from decimal import Decimal, InvalidOperation  # exact arithmetic, loaded only when parsing

    raw = unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")
    if len(raw) > 40:  # thousands of digits: too large, and not worth parsing
        if sum(c.isdigit() for c in raw) < len(raw) // 2:
            raise BadInput(f"amount {raw[:20]!r}… ({len(raw):,} characters) is not an amount", hint=_HINT)
        raise BadInput(f"amount {raw[:20]!r}… ({len(raw):,} characters) is too large", hint=MAX_HINT)
    if raw in {"", "0"}:
        if raw == "":
            raise BadInput("amount is empty", hint=_HINT)
        return 0
    if raw.startswith("-") or raw.startswith("−"):
        raise BadInput(f"amount {text!r} is negative", hint="amounts are 0 or more")
    match = _AMOUNT.match(raw)
    if not match:
        raise BadInput(f"amount {text!r} is not an amount", hint=_HINT)
    num = match["num"]
    if "," in num and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):
        raise BadInput(f"amount {text!r} has misplaced thousands separators", hint=_HINT)
    try:
        value = Decimal(num.replace(",", "")) * _SUFFIXES[match["suffix"] or ""] * MINOR_PER_MAJOR
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise BadInput(f"amount {text!r} is not an amount", hint=_HINT) from None
    if value != value.to_integral_value():
        raise BadInput(f"amount {text!r} has more precision than a cent", hint="use at most two decimals")
    minor = int(value)
    if minor > MAX_MINOR:
        raise BadInput(f"amount {text!r} is too large", hint=MAX_HINT)
    return minor


def to_major_str(minor: int | None) -> str:
    """Machine form: major units with two decimals (`120000.00`, `-41666.67`); no amount is `0.00`."""
    minor = minor or 0
    sign, (major, cents) = "-" if minor < 0 else "", divmod(abs(minor), MINOR_PER_MAJOR)
    return f"{sign}{major}.{cents:02d}"


def format_amount(minor: int | None) -> str:
    """Human form: grouped digits, cents only when there are any (`120,000`, `99.50`, `-141,666.67`)."""
    minor = minor or 0
    sign, (major, cents) = "-" if minor < 0 else "", divmod(abs(minor), MINOR_PER_MAJOR)
    return f"{sign}{major:,}" if cents == 0 else f"{sign}{major:,}.{cents:02d}"
