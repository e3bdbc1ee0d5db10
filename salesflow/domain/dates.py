"""Human date input and the clock as a value.

Every function takes `now` as an argument; nothing here reads the real clock. A bare date means
00:00 of that day. Weeks start on Monday. Year-less and weekday forms resolve forwards (the next
such day after today) unless the caller asks for the past (`--at`, `--since`), where they resolve
to the latest such day before today.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from salesflow.domain.errors import BadInput
from salesflow.i18n import N_, _

Direction = Literal["future", "past"]

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
_WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_ZH_WEEK = r"(?:周|星期|礼拜)"
_UNITS = {
    "d": "days", "day": "days", "days": "days", "天": "days", "日": "days",
    "w": "weeks", "week": "weeks", "weeks": "weeks", "周": "weeks", "星期": "weeks", "个星期": "weeks",
    "m": "months", "month": "months", "months": "months", "个月": "months", "月": "months",
}
_HINT = N_(
    "use 2026-11-25, today, tomorrow, fri, next monday, dec 25, 12/25, +3d, in 2 weeks, eow, eom, eoq, "
    "11月25日, 明天, 下周五, 3天后 or 月底 (optionally followed by HH:MM, 3pm or 下午3点)"
)
_ZH_NUMBERS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
               "十": 10, "十一": 11, "十二": 12}
# 下午3点, 上午十点半, 晚上8点30分, 3点一刻: a time of day the Chinese way
_ZH_CLOCK = re.compile(r"(?P<body>.*?)(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?"
                       r"(?P<h>\d{1,2}|十[一二]?|[零一二两三四五六七八九])[点時时]"
                       r"(?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<m>\d{1,2})分?)?$")



# Every date salesflow accepts lies in this range, so that no stored date plus any limit or window can
# leave what Python's dates (years 1–9999) and every report can hold.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
RANGE_HINT = N_("dates run from 1900-01-01 to 2199-12-31")  # EARLIEST and LATEST


def in_range(day: date | datetime, what: str) -> None:
    d = day.date() if isinstance(day, datetime) else day
    if not EARLIEST <= d <= LATEST:
        raise BadInput(_("{what} {isoformat} is out of range").format(what=what, isoformat=d.isoformat()), hint=_(RANGE_HINT))


@dataclass(frozen=True)
class When:
    """A resolved human date: the moment, and whether the user gave a time of day."""

    at: datetime
    has_time: bool

    @property
    def day(self) -> date:
        return self.at.date()

    def echo(self) -> str:
        stamp = self.at.strftime("%Y-%m-%d %H:%M") if self.has_time else self.at.strftime("%Y-%m-%d")
        return f"{stamp} ({_(_WEEKDAY_NAMES[self.at.weekday()])})"


_NOW_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$")


def parse_now(text: str) -> datetime:
    """`--now`: `YYYY-MM-DD` (00:00 that day) or `YYYY-MM-DDTHH:MM[:SS]`."""
    raw = text.strip()
    if _NOW_FORM.match(raw):
        try:
            moment = datetime.fromisoformat(raw)  # (strptime would load _strptime: 2 ms of every command's start)
        except ValueError:
            pass
        else:
            # a margin inside the range: reports look a year or two back and ahead of now
            if not date(EARLIEST.year + 10, 1, 1) <= moment.date() <= date(LATEST.year - 10, 12, 31):
                raise BadInput(_("--now {isoformat} is out of range").format(isoformat=moment.date().isoformat()),
                               hint=_("--now runs from {year}-01-01 to {year2}-12-31").format(year=EARLIEST.year + 10, year2=LATEST.year - 10))
            return moment
    raise BadInput(_("--now {text!r} is not a date").format(text=text), hint=_("use YYYY-MM-DD or YYYY-MM-DDTHH:MM"))


def parse_when(text: str, now: datetime, direction: Direction = "future") -> When:
    """Resolve one human date expression against `now`; ambiguous or unknown forms are refused."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().lower()
    raw = re.sub(r"\s+", " ", raw)
    if not raw:
        raise BadInput(_("the date is empty"), hint=_(_HINT))
    if raw == "now" or raw == "现在":
        return When(now.replace(microsecond=0), True)
    body, clock = _split_time(raw)
    try:
        day = _parse_day(body, now.date(), direction) if body else now.date()
    except (OverflowError, ValueError):  # +99999999d: past what a date can hold
        raise BadInput(_("date {short} is out of range").format(short=_short(text)), hint=_(RANGE_HINT)) from None
    if day is not None:
        in_range(day, "date")
    if day is None:
        if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}[/.]\d{1,2}|\d+", body):
            raise BadInput(_("date {short} is ambiguous").format(short=_short(text)), hint=_("write it as YYYY-MM-DD, e.g. 2026-03-04"))
        raise BadInput(_("date {short} is not a date I understand").format(short=_short(text)), hint=_(_HINT))
    return When(datetime.combine(day, clock or time(0, 0)), clock is not None)


def _short(text: str) -> str:
    text = str(text)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _split_time(raw: str) -> tuple[str, time | None]:
    match = re.fullmatch(r"(?P<body>.*?)[ t]?(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?", raw)
    if match and (match["body"] == "" or not match["body"].endswith(("-", "/"))):
        hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise BadInput(_("time {h}:{m} is not a time of day").format(h=match['h'], m=match['m']), hint=_("use HH:MM, 00:00 to 23:59"))
        return match["body"].strip(), time(hour, minute, second)
    match = re.fullmatch(r"(?P<body>.*?) ?(?P<h>\d{1,2})(?::(?P<m>\d{2}))? ?(?P<ampm>am|pm)", raw)
    if match:
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise BadInput(_("time {h}{ampm} is not a time of day").format(h=match['h'], ampm=match['ampm']), hint=_("use 1am to 12pm"))
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
        return match["body"].strip(), time(hour, minute)
    match = _ZH_CLOCK.fullmatch(raw)
    if match:
        h = match["h"]
        hour = int(h) if h.isdigit() else _ZH_NUMBERS[h]
        minute = 30 if match["half"] else {"一刻": 15, "三刻": 45}.get(match["quarter"] or "", int(match["m"] or 0))
        part = match["part"]
        if part in ("下午", "傍晚", "晚上") and hour < 12:
            hour += 12
        elif part == "中午" and hour < 11:
            hour += 12  # 中午1点 = 13:00
        elif part in ("凌晨", "早上", "早晨", "上午") and hour == 12:
            hour = 0 if part == "凌晨" else 12
        if hour > 23 or minute > 59:
            raise BadInput(_("time {raw!r} is not a time of day").format(raw=raw[len(match['body']):]), hint=_("e.g. 下午3点, 上午10点半"))
        return match["body"].strip(), time(hour, minute)
    return raw, None


def _make_date(year: int, month: int, day: int, original: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadInput(_("date {original!r} does not exist").format(original=original),
                       hint=_("check the month") if not 1 <= month <= 12 else _("check the day of the month")) from None


def _parse_day(body: str, today: date, direction: Direction) -> date | None:
    from dateutil.relativedelta import relativedelta  # month arithmetic; loaded only when parsing

    sign = -1 if direction == "past" else 1
    simple = {
        "today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "明日": 1, "后天": 2, "大后天": 3,
        "yesterday": -1, "昨天": -1, "昨日": -1, "前天": -2,
    }
    if body in simple:
        return today + timedelta(days=simple[body])
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", body):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), body)
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", body):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), body)
    if m := re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]?", body):
        return _year_less(int(m[1]), int(m[2]), today, direction, body)
    if m := re.fullmatch(r"([+-])(\d+) ?([a-z]+)", body):
        unit = _UNITS.get(m[3])
        if unit is None:
            return None
        n = int(m[2]) * (1 if m[1] == "+" else -1)
        return today + relativedelta(**{unit: n})
    if m := re.fullmatch(r"in (\d+) ?([a-z]+)", body):
        unit = _UNITS.get(m[2])
        return today + relativedelta(**{unit: int(m[1])}) if unit else None
    if m := re.fullmatch(r"(\d+) ?([a-z]+) ago", body):
        unit = _UNITS.get(m[2])
        return today - relativedelta(**{unit: int(m[1])}) if unit else None
    if m := re.fullmatch(r"(\d+) ?(天|日|周|个星期|星期|个月)([后前])", body):
        n = int(m[1]) * (1 if m[3] == "后" else -1)
        return today + relativedelta(**{_UNITS[m[2]]: n})
    if body in ("eow", "end of week"):  # the working week: Friday
        return today + timedelta(days=(4 - today.weekday()) % 7)
    if body in ("eom", "end of month", "月底", "月末", "本月底"):
        return today + relativedelta(day=31)
    if body in ("eoq", "end of quarter", "季度末", "本季度末", "季末"):
        quarter_end_month = (today.month - 1) // 3 * 3 + 3
        return today + relativedelta(month=quarter_end_month, day=31)
    if body in ("eoy", "end of year", "年底", "年末"):
        return date(today.year, 12, 31)
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?", body):
        return _month_or_day_first(int(m[1]), int(m[2]), int(m[3]) if m[3] else None, today, direction, body)
    if named := _month_name(body):
        month, day, year = named
        return _make_date(year, month, day, body) if year else _year_less(month, day, today, direction, body)
    if body in ("next week", "下周", "下星期", "下礼拜"):
        return _monday(today) + timedelta(days=7)
    if body in ("next month", "下月", "下个月"):
        return today + relativedelta(months=1, day=1)
    weekday = _weekday(body)
    if weekday is not None:
        which, day = weekday
        if which == "next-week":
            return _monday(today) + timedelta(days=7 + day)
        if which == "last-week":
            return _monday(today) - timedelta(days=7 - day)
        if which == "this-week":
            return _monday(today) + timedelta(days=day)
        delta = (day - today.weekday()) % 7 or 7
        return today + timedelta(days=delta) if sign > 0 else today - timedelta(days=(7 - delta) or 7)
    return None


def _month_or_day_first(a: int, b: int, year: int | None, today: date, direction: Direction, original: str) -> date | None:
    """`12/25` is December 25 (25 cannot be a month); `25/12` too; `3/4` could be either: None (refused)."""
    if a > 12 and b > 12:  # 13/25: no reading of it is a date
        raise BadInput(_("date {original!r} does not exist").format(original=original), hint=_("check the month"))
    if a > 12 >= b:
        a, b = b, a
    elif not (b > 12 >= a):
        return None
    return _make_date(year, a, b, original) if year else _year_less(a, b, today, direction, original)


def _month_name(body: str) -> tuple[int, int, int | None] | None:
    """`dec 25`, `december 25`, `25 dec`, `dec 25 2026`, `25 december, 2026`: (month, day, year or None).
    (dateutil's parser reads these too, but also guesses `3/4` as March 4: salesflow refuses that one.)"""
    words = body.replace(",", " ").split()
    months = [(i, _month_of(w)) for i, w in enumerate(words) if _month_of(w)]
    numbers = [w for i, w in enumerate(words) if i not in {j for j, _ in months}]
    if len(months) != 1 or not 1 <= len(numbers) <= 2 or not all(n.isdigit() for n in numbers):
        return None
    if len(numbers[0]) > 2 or (len(numbers) == 2 and len(numbers[1]) != 4):
        return None
    return months[0][1], int(numbers[0]), int(numbers[1]) if len(numbers) == 2 else None


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")


def _month_of(word: str) -> int | None:
    word = word.rstrip(".")
    if len(word) < 3 or not word.isalpha():
        return None
    return next((i + 1 for i, name in enumerate(_MONTH_NAMES) if name.startswith(word)), None)


def _weekday(body: str) -> tuple[str, int] | None:
    words = body.split(" ")
    if len(words) == 1 and words[0] in _WEEKDAYS:
        return "bare", _WEEKDAYS[words[0]]
    if len(words) == 2 and words[0] == "next" and words[1] in _WEEKDAYS:  # next monday: the Monday of next week
        return "next-week", _WEEKDAYS[words[1]]
    if len(words) == 2 and words[0] == "last" and words[1] in _WEEKDAYS:
        return "last-week", _WEEKDAYS[words[1]]
    if len(words) == 3 and words[:2] == ["next", "week"] and words[2] in _WEEKDAYS:
        return "next-week", _WEEKDAYS[words[2]]
    if len(words) == 3 and words[:2] == ["last", "week"] and words[2] in _WEEKDAYS:
        return "last-week", _WEEKDAYS[words[2]]
    if len(words) == 2 and words[0] == "this" and words[1] in _WEEKDAYS:
        return "this-week", _WEEKDAYS[words[1]]
    if m := re.fullmatch(rf"(下|上|这|本)?{_ZH_WEEK}([一二三四五六日天七])", body):
        which = {"下": "next-week", "上": "last-week", "这": "this-week", "本": "this-week"}.get(m[1] or "", "bare")
        return which, _ZH_DAYS[m[2]]
    return None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _year_less(month: int, day: int, today: date, direction: Direction, original: str) -> date:
    """`11月25日`: this year's date, or the next (previous, for the past) year's when that one has gone."""
    if not 1 <= month <= 12:
        raise BadInput(_("date {original!r} does not exist").format(original=original), hint=_("check the month"))
    for year in (today.year, today.year + (1 if direction == "future" else -1)):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 2月29日 outside a leap year
            continue
        if (candidate >= today) if direction == "future" else (candidate <= today):
            return candidate
    return _make_date(today.year, month, day, original)


def iso(moment: datetime | None) -> str | None:
    """The one storage and machine form of a moment: `YYYY-MM-DDTHH:MM:SS`."""
    return None if moment is None else moment.replace(microsecond=0).isoformat(timespec="seconds")


def age(delta: timedelta, *, minutes: bool = False) -> str:
    """How long, in words of the current language: `3 days`, `1 day`, `5 h` (or `40 min` with `minutes`)."""
    if delta >= timedelta(days=1):
        return (_("{n} day") if delta.days == 1 else _("{n} days")).format(n=delta.days)
    hours = max(0, int(delta.total_seconds() // 3600))
    if hours:
        return _("{n} h").format(n=hours)
    if minutes:
        return _("{n} min").format(n=max(0, int(delta.total_seconds() // 60)))
    return _("under an hour")
