"""Coercing typed or imported values: phone numbers (phonenumbers), and the dates and amounts of imported files."""

from __future__ import annotations

import re
from datetime import datetime

from salesflow.domain.errors import BadInput
from salesflow.domain.dates import EARLIEST, LATEST, RANGE_HINT
from salesflow.domain.money import MAX_HINT, MAX_MINOR, parse_amount
from salesflow.domain.text import clean_text
from salesflow.i18n import _

DEFAULT_REGION = "CN"


def normalise_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """A phone someone typed, stored as an import stores it (`import_phone`): E.164 when it is a valid number
    of `region` or written with its country code, else exactly as written — `(425) 555-0100` in a Chinese
    team is an American number, not +864255550100. What cannot be a phone at all (`12345`) is refused."""
    value = clean_text(value, "phone", max_len=64)
    if value is None:
        return None
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_TEXT.match(value) or not 7 <= digits <= 15:
        raise BadInput(_("phone {value!r} does not look like a phone number").format(value=value),
                       hint=_("write it with digits, e.g. 138 0013 8000 or +86 10 1234 5678"))
    return import_phone(value, region)


# what a phone may be written with: digits, a leading + or 00, spaces, brackets, dots, dashes, an extension
_PHONE_TEXT = re.compile(r"^\+?[\d\s().\-/]+(?:\s*(?:ext\.?|x|#|转)\s*\d{1,6})?$", re.IGNORECASE)


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def check_region(code: str | None) -> str:
    """`--phone-region`: a two-letter country code phonenumbers knows (CN, US, GB …); default CN."""
    if code is None:
        return DEFAULT_REGION
    import phonenumbers

    region = code.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise BadInput(_("phone region {code!r} is not a country code").format(code=code),
                       hint=_("a two-letter code such as CN, HK, TW, SG, US, GB or DE"))
    return region


def import_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """A phone from another system: E.164 when it is a valid number written internationally or in the
    file's `region`, else kept exactly as written — `(425) 555-0100` read as a Chinese number would be a
    wrong number, so without `--phone-region US` it stays text (zeros and all)."""
    value = value.strip()
    if _E164.match(value):
        return value
    if region == "CN" and _CN_MOBILE.match(value):  # the common case in Chinese sheets, without the parser
        return "+86" + value
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    international = value.startswith(("+", "00"))
    if not (phonenumbers.is_valid_number(number) or (international and phonenumbers.is_possible_number(number))):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                  r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?$")
_ZH = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:时点](\d{2})分?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
DATE_FORMATS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "ymd": "%Y-%m-%d"}


def check_date_format(fmt: str | None) -> str | None:
    """`--date-format`: a strftime pattern (`%d.%m.%Y`) or one of dmy, mdy, ymd."""
    if fmt is None:
        return None
    fmt = DATE_FORMATS.get(fmt.lower(), fmt)
    if "%" not in fmt:
        raise BadInput(_("date format {fmt!r} has no % fields").format(fmt=fmt), hint=_("e.g. --date-format %d/%m/%Y, or dmy / mdy / ymd"))
    return fmt


def import_datetime(text: str, fmt: str | None) -> datetime:
    """A date or date-time from a file (see _read_datetime), within the range every date must lie in."""
    moment = _read_datetime(text, fmt)
    if not EARLIEST <= moment.date() <= LATEST:
        raise BadInput(_("date {strip!r} is out of range").format(strip=text.strip()[:40]), hint=_(RANGE_HINT))
    return moment


def _read_datetime(text: str, fmt: str | None) -> datetime:
    """A date or date-time from a file as local wall-clock time (a time-zone suffix is dropped).

    Year-first forms and 2026年3月1日 are read as they are; `03/04/2026` is refused unless the day or the
    month is over 12 or `--date-format` says which comes first.
    """
    raw = text.strip()
    if not fmt and raw[4:5] == "-" and raw[7:8] == "-" and len(raw) in (10, 16, 19):
        try:  # the common case, 2026-03-01 or 2026-03-01T14:05[:00]: the C parser
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    if fmt:
        for candidate in (raw, raw.split(" ")[0], raw.split("T")[0]):
            try:
                return datetime.strptime(candidate, fmt)
            except ValueError:
                continue
        if "%d/%m" in fmt or "%m/%d" in fmt:
            # a time after the date is kept: "25/03/2026 14:05"
            for extra in (" %H:%M", " %H:%M:%S"):
                try:
                    return datetime.strptime(raw, fmt + extra)
                except ValueError:
                    continue
        if not _ISO.match(raw):
            raise BadInput(_("date {text!r} does not match --date-format {fmt}").format(text=text, fmt=fmt))
    match = _ISO.match(raw) or _ZH.match(raw)
    if match:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in (match.groups() + (None,) * 6)[:6])
        return _make(text, y, mo, d, h, mi, s)
    match = _DMY.match(raw)
    if match:
        a, b, y = int(match[1]), int(match[2]), int(match[3])
        h, mi, s = (int(g) if g else 0 for g in match.groups()[3:6])
        if a > 12 >= b:
            return _make(text, y, b, a, h, mi, s)
        if b > 12 >= a:
            return _make(text, y, a, b, h, mi, s)
        raise BadInput(_("date {text!r} could be day/month or month/day").format(text=text),
                       hint=_("say which with --date-format dmy (25/03/2026) or mdy (03/25/2026)"))
    raise BadInput(_("{text!r} is not a date").format(text=text), hint=_("dates look like 2026-03-01, 2026/3/1, 2026年3月1日 or 01/03/2026 with --date-format"))


def _make(text: str, y: int, mo: int, d: int, h: int, mi: int, s: int) -> datetime:
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise BadInput(_("{text!r} is not a real date or time").format(text=text)) from None


def import_amount(text: str, unit: int | None) -> int:
    """Minor units; `unit` multiplies a column headed like 金额(万元). Plain digits skip the Decimal path."""
    raw = text.strip()
    if len(raw) > 40:
        raise BadInput(_("amount {raw!r}… ({n:,} characters) is too large").format(raw=raw[:20], n=len(raw)), hint=_(MAX_HINT))
    if raw.isdigit():
        minor = int(raw) * 100
    elif raw[-3:-2] == "." and raw[:-3].isdigit() and raw[-2:].isdigit():  # 120000.00, as exports write it
        minor = int(raw[:-3]) * 100 + int(raw[-2:])
    else:
        minor = parse_amount(raw)
    if unit:
        minor *= unit
    if minor > MAX_MINOR:
        raise BadInput((_("amount {raw!r} × {unit:,} is too large").format(raw=raw, unit=unit) if unit else
                        _("amount {text!r} is too large").format(text=raw)), hint=_(MAX_HINT))
    return minor


def handle_slug(name: str) -> str:
    """A rep handle from a display name: `Moses Frase` → `moses-frase`, `王伟` → `wang-wei` (pinyin)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", name).strip()
    if not text.isascii():
        from pypinyin import lazy_pinyin  # 0.15 s to load its dictionary: only when creating reps

        text = " ".join(lazy_pinyin(text))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:32].strip("-")
    return slug or "rep"
