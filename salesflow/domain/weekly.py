"""The five key numbers of the weekly meeting, week by week (Monday-based), and their sparklines."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from typing import NamedTuple

BLOCKS = "▁▂▃▄▅▆▇█"
METRICS = ("new_leads", "valid_leads", "lead_to_opportunity", "avg_cycle_days", "won_amount")


class Week(NamedTuple):
    start: date  # Monday
    new_leads: int
    valid_leads: int
    lead_to_opportunity: float | None  # valid ÷ new, same week
    avg_cycle_days: float | None  # of the deals won that week
    won_amount: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(today: date, count: int, created: list[datetime], valid: list[datetime],
          won: list[tuple[datetime, datetime, int]]) -> list[Week]:
    """`count` weeks ending with the one holding `today`, oldest first."""
    first = week_start(today) - timedelta(weeks=count - 1)
    index = lambda moment: (week_start(moment.date()) - first).days // 7  # noqa: E731
    new = [0] * count
    qualified = [0] * count
    cycles: list[list[float]] = [[] for _ in range(count)]
    amount = [0] * count
    for moment in created:
        if 0 <= (i := index(moment)) < count:
            new[i] += 1
    for moment in valid:
        if 0 <= (i := index(moment)) < count:
            qualified[i] += 1
    for closed, opened, value in won:
        if 0 <= (i := index(closed)) < count:
            cycles[i].append((closed - opened).total_seconds() / 86400)
            amount[i] += value
    return [Week(first + timedelta(weeks=i), new[i], qualified[i], qualified[i] / new[i] if new[i] else None,
                 statistics.fmean(cycles[i]) if cycles[i] else None, amount[i]) for i in range(count)]


def sparkline(values: list[float | None]) -> str:
    """One block per value, scaled from the lowest to the highest; `·` where there is no value."""
    known = [v for v in values if v is not None]
    if not known:
        return "·" * len(values)
    low, high = min(known), max(known)
    span = high - low
    return "".join("·" if v is None else BLOCKS[0 if span == 0 else round((v - low) / span * (len(BLOCKS) - 1))]
                   for v in values)
