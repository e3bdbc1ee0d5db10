"""Rep health: red / yellow / green, with the reasons written out. A win counts as a forward move.

red    — the rep has open deals and no forward stage move or win in the last 14 days, or at least 2
         open deals sit in one and the same stage, each there for more than 15 days;
yellow — not red, and overdue follow-ups are more than 5% of the open deals, or any open deal has
         been in its stage more than 15 days, or no forward move in 7 days;
green  — otherwise.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import NamedTuple
from salesflow.i18n import _

STUCK_DAYS = 15


class OpenDeal(NamedTuple):
    stage: str
    stage_entered_at: datetime
    overdue: bool


class Health(NamedTuple):
    rep: str
    status: str
    open_deals: int
    overdue: int
    overdue_pct: float | None
    stuck_15d: int
    days_since_progress: int | None
    reasons: tuple[str, ...]


def health(rep: str, deals: list[OpenDeal], last_progress: datetime | None, now: datetime,
           stage_names: dict[str, str] | None = None) -> Health:
    """`stage_names`: how a stage reads in the reasons (default: its key)."""
    stuck = Counter(d.stage for d in deals if now - d.stage_entered_at > timedelta(days=STUCK_DAYS))
    return from_counts(rep, len(deals), sum(d.overdue for d in deals), stuck, last_progress, now, stage_names)


def from_counts(rep: str, open_deals: int, overdue: int, stuck_by_stage: Counter, last_progress: datetime | None,
                now: datetime, stage_names: dict[str, str] | None = None) -> Health:
    """The same verdict from counts: open deals, how many overdue, and per stage how many have been in it
    more than STUCK_DAYS days."""
    stuck = sum(stuck_by_stage.values())
    since = None if last_progress is None else (now.date() - last_progress.date()).days
    quiet = lambda days: last_progress is None or now - last_progress > timedelta(days=days)  # noqa: E731
    progress = _("never") if since is None else _("{since} days ago").format(since=since)
    red, yellow = [], []
    if open_deals and quiet(14):
        red.append(_("no forward move or win in 14 days (last: {progress})").format(progress=progress))
    for stage, count in sorted(stuck_by_stage.items()):
        if count >= 2:
            red.append(_("{count} deals stuck in {stage} over {stuck_days} days").format(count=count, stage=(stage_names or {}).get(stage, stage), stuck_days=STUCK_DAYS))
    if not red:
        if open_deals and overdue / open_deals > 0.05:
            yellow.append(_("{overdue} of {n} open deals overdue ({overdue2:.0%} > 5%)").format(overdue=overdue, n=open_deals, overdue2=overdue / open_deals))
        if stuck:
            yellow.append(_("{n} deal{value} in a stage over {stuck_days} days").format(n=stuck, value='s' if stuck > 1 else '', stuck_days=STUCK_DAYS))
        if quiet(7):
            yellow.append(_("no forward move in 7 days (last: {progress})").format(progress=progress))
    status = "red" if red else "yellow" if yellow else "green"
    return Health(rep, status, open_deals, overdue, overdue / open_deals if open_deals else None, stuck, since,
                  tuple(red or yellow))
