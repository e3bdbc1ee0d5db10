"""Rep health (§7): red / yellow / green, with the reasons written out. A win counts as a forward move.

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


def health(rep: str, deals: list[OpenDeal], last_progress: datetime | None, now: datetime) -> Health:
    stuck = [d for d in deals if now - d.stage_entered_at > timedelta(days=STUCK_DAYS)]
    overdue = sum(d.overdue for d in deals)
    since = None if last_progress is None else (now.date() - last_progress.date()).days
    quiet = lambda days: last_progress is None or now - last_progress > timedelta(days=days)  # noqa: E731
    progress = "never" if since is None else f"{since} days ago"
    red, yellow = [], []
    if deals and quiet(14):
        red.append(f"no forward move or win in 14 days (last: {progress})")
    for stage, count in sorted(Counter(d.stage for d in stuck).items()):
        if count >= 2:
            red.append(f"{count} deals stuck in {stage} over {STUCK_DAYS} days")
    if not red:
        if deals and overdue / len(deals) > 0.05:
            yellow.append(f"{overdue} of {len(deals)} open deals overdue ({overdue / len(deals):.0%} > 5%)")
        if stuck:
            yellow.append(f"{len(stuck)} deal{'s' if len(stuck) > 1 else ''} in a stage over {STUCK_DAYS} days")
        if quiet(7):
            yellow.append(f"no forward move in 7 days (last: {progress})")
    status = "red" if red else "yellow" if yellow else "green"
    return Health(rep, status, len(deals), overdue, overdue / len(deals) if deals else None, len(stuck), since,
                  tuple(red or yellow))
