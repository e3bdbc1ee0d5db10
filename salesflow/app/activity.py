"""The activity numbers: is the process being worked? Per rep (or team, or manager) over a period.

- first_response_hours / first_response_p90_hours: for deals whose clock started in the period (when the
  current owner got the deal, else when it was created), hours to the first touch after that; the median
  and the 90th percentile (nearest rank) of the deals that got one. `unanswered`: deals still without one.
- touches_per_deal_week: touches logged in the period on the group's deals while they were open, divided
  by the open deal-weeks in the period (each deal counts the days it was open within it, ÷ 7).
- conversion_30d: of the deals created in the period (`new_deals`), the share that reached the second
  stage (or were won) within 30 days of creation. A period that ended less than 30 days ago still counts up.
- recording_rate: the share of working days (Monday–Friday) in the period, up to now and from the day the
  rep was added, on which the rep logged at least one touch; for a team, of all its reps' working days.
- checked / avg_score: spot-check scores (`review score`) given in the period to the group's touches.
A number whose denominator is empty is left empty, never 0.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

from salesflow.app.groups import grouper
from salesflow.domain.dates import iso
from salesflow.i18n import N_, _
from salesflow.output.report import Column
from salesflow.store import activity as store

RESPONSE_DAYS = 30  # conversion_30d's window


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value with at least 90 % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def working_days(first: date, last: date) -> list[date]:
    """Monday–Friday days in [first, last)."""
    return [first + timedelta(days=i) for i in range((last - first).days) if (first + timedelta(days=i)).weekday() < 5]


def activity_rows(conn: sqlite3.Connection, start: datetime, end: datetime, now: datetime, by: str = "rep") -> list[dict]:
    until = min(end, now)
    group = grouper(conn, by)
    reps = store.reps(conn)
    keys: set[str | None] = {group(r["handle"]) for r in reps if r["active"] and r["role"] == "rep"}
    stats: dict[str | None, dict] = defaultdict(lambda: {"hours": [], "unanswered": 0, "touches": 0, "deal_days": 0.0,
                                                          "new": 0, "converted": 0, "days": 0, "recorded": 0, "scores": []})
    if until > start:
        for r in store.responses(conn, iso(start), iso(until)):
            s = stats[group(r["owner"])]
            if r["first_touch"] is None:
                s["unanswered"] += 1
            else:
                s["hours"].append((datetime.fromisoformat(r["first_touch"]) - datetime.fromisoformat(r["clock"])).total_seconds() / 3600)
        for r in store.open_spans(conn, iso(start), iso(until)):
            s = stats[group(r["owner"])]
            opened = max(start, datetime.fromisoformat(r["created_at"]))
            closed = min(until, datetime.fromisoformat(r["closed_at"])) if r["closed_at"] else until
            s["deal_days"] += max(0.0, (closed - opened).total_seconds() / 86400)
            s["touches"] += r["touches"]
        touched = {(r["by"], r["day"]) for r in store.touch_days(conn, iso(start), iso(until))}
        writers = {h for h, _d in touched}
        for rep in reps:  # reps are expected to record; a manager or admin only counts on the days they did
            if rep["handle"] not in writers and not (rep["active"] and rep["role"] == "rep"):
                continue
            added = datetime.fromisoformat(rep["created_at"]).date() if rep["created_at"] else start.date()
            days = working_days(max(start.date(), added), until.date() + (timedelta(days=1) if until.time() != datetime.min.time() else timedelta(0)))
            if not days:
                continue
            s = stats[group(rep["handle"])]
            s["days"] += len(days)
            s["recorded"] += sum(1 for d in days if (rep["handle"], d.isoformat()) in touched)
        for r in store.scores(conn, iso(start), iso(until)):
            stats[group(r["rep"])]["scores"].append(r["score"])
    for r in store.conversions(conn, iso(start), iso(until)) if until > start else ():
        s = stats[group(r["owner"])]
        s["new"] += 1
        reached = datetime.fromisoformat(r["reached"]) if r["reached"] else None
        if reached and reached <= min(now, datetime.fromisoformat(r["created_at"]) + timedelta(days=RESPONSE_DAYS)):
            s["converted"] += 1
    rows = []
    for key in sorted(keys | set(stats), key=lambda k: (k is None, k or "")):
        s = stats[key]
        rows.append({
            by: key,
            "new_deals": s["new"],
            "first_response_hours": _r(statistics.median(s["hours"])) if s["hours"] else None,
            "first_response_p90_hours": _r(p90(s["hours"])),
            "answered": len(s["hours"]),
            "unanswered": s["unanswered"],
            "touches_per_deal_week": _r(s["touches"] / (s["deal_days"] / 7)) if s["deal_days"] > 0 else None,
            "conversion_30d": s["converted"] / s["new"] if s["new"] else None,
            "recording_rate": s["recorded"] / s["days"] if s["days"] else None,
            "checked": len(s["scores"]),
            "avg_score": _r(statistics.fmean(s["scores"])) if s["scores"] else None,
        })
    return rows


def _r(value: float | None) -> float | None:
    """Hours, touches per deal-week and scores to two decimals (csv carries what the table shows)."""
    return None if value is None else round(value, 2)


def activity_columns(by: str) -> list[Column]:
    return [
        Column(by, "text" if by == "team" else "owner"),
        Column("new_deals", "int", priority=6),
        Column("first_response_hours", "days", label=N_("First response (h, median)"), priority=1),
        Column("first_response_p90_hours", "days", label=N_("First response (h, p90)"), priority=3),
        Column("answered", "int", priority=8),
        Column("unanswered", "int", priority=4),
        Column("touches_per_deal_week", "score", label=N_("Touches per deal-week"), priority=2),
        Column("conversion_30d", "rate", label=N_("30-day conversion"), priority=2),
        Column("recording_rate", "rate", label=N_("Recording rate"), priority=1),
        Column("checked", "int", label=N_("Checked"), priority=5),
        Column("avg_score", "score", label=N_("Avg score"), priority=5),
    ]


def activity_footer() -> list[str]:
    return [
        _("first response: hours from getting a deal to its first touch (median, p90; unanswered: none yet)"),
        _("touches per deal-week: touches on open deals ÷ (days deals were open in the period ÷ 7)"),
        _("30-day conversion: deals created in the period that reached the second stage within 30 days"),
        _("recording rate: working days (Mon–Fri) with at least one touch logged ÷ working days"),
    ]
