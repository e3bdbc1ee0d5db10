"""Money: parse what people type into integer minor units, format at the last inch of output.

Amounts are never floats. `12万` is 120,000 major units = 12,000,000 minor units (fen/cents).
"""

from __future__ import annotations

import re
import unicodedata
from salesflow.domain.errors import BadInput
from salesflow.i18n import N_, _

MINOR_PER_MAJOR = 100
# One deal at most 1,000,000,000,000.00 (10000亿): far beyond any real deal, and low enough that SQLite's
# integer SUM over every deal of a big database cannot overflow (2**63 minor units is 92,233 such deals).
MAX_MINOR = 10**14
MAX_HINT = N_("amounts up to 1,000,000,000,000.00 (10000亿)")

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
_HINT = N_("write it like 120000, 120,000, 12万, 1.2亿, 15k, 1.5m or ¥120,000")


def parse_amount(text: str) -> int:
    """`'12万'` → 12_000_000 (minor units). Refuses negatives, NaN, infinity, overflow, sub-cent values."""
    from decimal import Decimal, InvalidOperation  # exact arithmetic, loaded only when parsing

    raw = unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")
    if len(raw) > 40:  # thousands of digits: too large, and not worth parsing
        if sum(c.isdigit() for c in raw) < len(raw) // 2:
            raise BadInput(_("amount {raw!r}… ({n:,} characters) is not an amount").format(raw=raw[:20], n=len(raw)), hint=_(_HINT))
        raise BadInput(_("amount {raw!r}… ({n:,} characters) is too large").format(raw=raw[:20], n=len(raw)), hint=_(MAX_HINT))
    if raw in {"", "0"}:
        if raw == "":
            raise BadInput(_("amount is empty"), hint=_(_HINT))
        return 0
    if raw.startswith("-") or raw.startswith("−"):
        raise BadInput(_("amount {text!r} is negative").format(text=text), hint=_("amounts are 0 or more"))
    match = _AMOUNT.match(raw)
    if not match:
        raise BadInput(_("amount {text!r} is not an amount").format(text=text), hint=_(_HINT))
    num = match["num"]
    if "," in num and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):
        raise BadInput(_("amount {text!r} has misplaced thousands separators").format(text=text), hint=_(_HINT))
    try:
        value = Decimal(num.replace(",", "")) * _SUFFIXES[match["suffix"] or ""] * MINOR_PER_MAJOR
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise BadInput(_("amount {text!r} is not an amount").format(text=text), hint=_(_HINT)) from None
    if value != value.to_integral_value():
        raise BadInput(_("amount {text!r} has more precision than a cent").format(text=text), hint=_("use at most two decimals"))
    minor = int(value)
    if minor > MAX_MINOR:
        raise BadInput(_("amount {text!r} is too large").format(text=text), hint=_(MAX_HINT))
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


# --------------------------------------------------------------------------------------------------
# currencies: one per database (meta `currency`, ISO 4217, default CNY); other currencies only by a rate

DEFAULT_CURRENCY = "CNY"
_MARKS = {"¥": "CNY", "元": "CNY", "块": "CNY", "rmb": "CNY", "人民币": "CNY", "$": "USD", "美元": "USD", "美金": "USD",
          "€": "EUR", "欧元": "EUR", "£": "GBP", "英镑": "GBP", "港币": "HKD", "港元": "HKD", "日元": "JPY"}
_ZH_NAMES = "人民币|美元|美金|欧元|英镑|港币|港元|日元"
_MARKED = re.compile(rf"^(?P<pre>[¥$€£]|{_ZH_NAMES}|[a-z]{{3}}(?=[\d.]))?(?P<body>.*?)"
                     rf"(?P<post>{_ZH_NAMES}|元|块|rmb|(?<=[\d.kmw千万亿])[a-z]{{3}})?$")
_CODE = re.compile(r"^[A-Z]{3}$")


def currency_code(text: str) -> str | None:
    """A currency cell or marker as an ISO 4217-shaped code: `usd` → USD, `¥`/`￥`/`RMB`/`元` → CNY, `$` → USD."""
    raw = unicodedata.normalize("NFKC", text).strip()
    code = _MARKS.get(raw.lower(), raw.upper())
    return code if _CODE.match(code) else None


def is_currency(code: str) -> bool:
    from babel.numbers import list_currencies  # the ISO 4217 list: only on the paths that name a currency

    return code in list_currencies()


def check_code(text: str, what: str = "currency") -> str:
    """An ISO 4217 code (`usd` → USD, 美元 → USD), or a clear error."""
    code = currency_code(text)
    if code is None or not is_currency(code):
        raise BadInput(_("{what} {text!r} is not an ISO 4217 currency code").format(what=what, text=text), hint=_("e.g. CNY, USD, EUR, HKD, JPY"))
    return code


def split_currency(text: str) -> tuple[str | None, str]:
    """(the currency an amount is written in, or None; the amount without it): `$12k` → ('USD', '12k'),
    `USD 12,000` → ('USD', '12,000'), `12万元` → ('CNY', '12万'), `12000` → (None, '12000')."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")
    match = _MARKED.match(raw)
    if not match or not (match["pre"] or match["post"]):
        return None, str(text)
    marks = {currency_code(m) for m in (match["pre"], match["post"]) if m}
    if None in marks:
        return None, str(text)  # `abc12`: not a currency; parse_amount says what is wrong
    if len(marks) > 1:
        raise BadInput(_("amount {text!r} names two currencies ({join})").format(text=text, join=', '.join(sorted(marks))),
                       hint=_("write one: e.g. $12,000 or 12,000元"))
    return marks.pop(), match["body"]


def convert(minor: int, rate: "Decimal") -> int:  # noqa: F821 - decimal is imported by the callers that convert
    """An amount in another currency (minor units) × rate (database currency per unit), to the cent."""
    from decimal import ROUND_HALF_UP, Decimal

    value = (Decimal(minor) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if value > MAX_MINOR:
        raise BadInput(_("amount {to_major_str} × {rate} is too large").format(to_major_str=to_major_str(minor), rate=rate), hint=_(MAX_HINT))
    return int(value)


def parse_rate(code: str, text: str) -> "Decimal":  # noqa: F821
    """A conversion rate: how many units of the database's currency one unit of `code` is worth."""
    from decimal import Decimal, InvalidOperation

    try:
        rate = Decimal(unicodedata.normalize("NFKC", text).strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not Decimal("0.000001") <= rate <= Decimal(1_000_000):
        raise BadInput(_("rate {text!r} for {code} is not a rate").format(text=text, code=code),
                       hint=_("a positive number: how much of this database's currency one {code} is worth, e.g. 7.10").format(code=code))
    return rate
