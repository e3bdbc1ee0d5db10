"""Period words for --since / --until / --period, each resolved to a half-open [start, end) window.

`--since X` starts at X's start; `--until X` ends *before* X's start, so `--since 2026-10 --until
2026-11` is October. Weeks start on Monday; quarters are calendar quarters.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from salesflow.domain.dates import RANGE_HINT
from salesflow.domain.errors import BadInput
from salesflow.i18n import N_, _

_HINT = N_("use a date (2026-10-01), a month (2026-10, 2026年10月), a quarter (2026Q4, 2026年Q4), this week, "
         "last week, this month, last month, this quarter, last quarter, last 30 days, 本月, 上月, 本季度, 上季度, 近30天")


def _month(day: date, shift: int = 0) -> tuple[date, date]:
    index = day.year * 12 + day.month - 1 + shift
    start = date(index // 12, index % 12 + 1, 1)
    nxt = index + 1
    return start, date(nxt // 12, nxt % 12 + 1, 1)


def _quarter(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, end


def parse_period(text: str, now: datetime) -> tuple[datetime, datetime]:
    """The [start, end) window a period word names, as datetimes at 00:00 (within the accepted date range)."""
    from salesflow.domain.dates import in_range

    try:
        start, end = _window(text, now)
    except (OverflowError, ValueError):  # 9999Q4 ends in a year no date holds
        start = None
    if start is None:
        raise BadInput(_("period {text!r} is out of range").format(text=str(text)[:40]), hint=_(RANGE_HINT))
    in_range(start, _("period start"))
    in_range(end - timedelta(days=1), _("period end"))
    return start, end


def _window(text: str, now: datetime) -> tuple[datetime, datetime]:
    raw = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text)).strip().lower())
    if raw[:1].isalpha():
        raw = raw.replace("-", " ")  # last-month = last month
    today = now.date()
    window: tuple[date, date] | None = None
    monday = today - timedelta(days=today.weekday())
    quarter = (today.month - 1) // 3 + 1
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw):
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise BadInput(_("{text!r} is not a date").format(text=text), hint=_(_HINT)) from None
        window = (day, day + timedelta(days=1))
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
        if not 1 <= int(m[2]) <= 12:
            raise BadInput(_("{text!r} is not a month").format(text=text), hint=_(_HINT))
        window = _month(date(int(m[1]), int(m[2]), 1))
    elif m := re.fullmatch(r"(\d{4})年(\d{1,2})月(?:份)?", raw):
        if not 1 <= int(m[2]) <= 12:
            raise BadInput(_("{text!r} is not a month").format(text=text), hint=_(_HINT))
        window = _month(date(int(m[1]), int(m[2]), 1))
    elif m := re.fullmatch(r"(\d{4}) ?q([1-4])|(\d{4})年 ?(?:q([1-4])|第([1-4一二三四])季度?)", raw):
        year = int(m[1] or m[3])
        q = m[2] or m[4] or m[5]
        window = _quarter(year, int({"一": "1", "二": "2", "三": "3", "四": "4"}.get(q, q)))
    elif m := re.fullmatch(r"(?:last|past) (\d{1,5}) days?|(?:近|最近|过去)(\d{1,5}) ?天", raw):
        days = int(m[1] or m[2])
        if days < 1:
            raise BadInput(_("{text!r} is not a period").format(text=text), hint=_(_HINT))
        window = (today - timedelta(days=days - 1), today + timedelta(days=1))  # today and the days before it
    elif raw in ("this week", "本周"):
        window = (monday, monday + timedelta(days=7))
    elif raw in ("last week", "上周"):
        window = (monday - timedelta(days=7), monday)
    elif raw in ("this month", "本月"):
        window = _month(today)
    elif raw in ("last month", "上月", "上个月"):
        window = _month(today, -1)
    elif raw in ("this quarter", "本季度", "本季"):
        window = _quarter(today.year, quarter)
    elif raw in ("last quarter", "上季度", "上季"):
        window = _quarter(today.year - (quarter == 1), 4 if quarter == 1 else quarter - 1)
    elif m := re.fullmatch(r"(\d{4})年?", raw):
        window = (date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1))
    elif raw in ("this year", "今年"):
        window = (date(today.year, 1, 1), date(today.year + 1, 1, 1))
    elif raw in ("last year", "去年"):
        window = (date(today.year - 1, 1, 1), date(today.year, 1, 1))
    if window is None:
        raise BadInput(_("{text!r} is not a period").format(text=text), hint=_(_HINT))
    return datetime.combine(window[0], time()), datetime.combine(window[1], time())


def describe(start: datetime | None, end: datetime | None) -> str:
    if start is None and end is None:
        return _("all time")
    left = start.date().isoformat() if start else _("the beginning")
    right = end.date().isoformat() if end else "now"
    return f"{left} ≤ created < {right}"
