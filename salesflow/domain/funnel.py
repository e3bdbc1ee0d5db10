"""The cohort funnel (§7) with "reached" semantics, shared by analytics and forecast.

A deal *reached* a stage if the furthest stage it ever entered is that stage or later; a won deal
reached every open stage and `won`; a lost deal reached the stages up to the one it was lost from
(a forced skip past a stage counts as reaching it). Time in a stage is counted from the visits
that ended (a deal lost from a stage left it at the loss; repeated visits are summed).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from salesflow.domain.pipeline import Pipeline


class Path(NamedTuple):
    """One deal's way through a pipeline: its state now and its stage events in order."""

    deal_id: int
    group: str
    status: str
    stage: str
    amount: int
    created_at: datetime
    closed_at: datetime | None
    lost_from: str | None
    events: tuple[tuple[str, datetime], ...]  # (to_stage, at), in order


def furthest(pipeline: Pipeline, path: Path) -> int:
    """Position of the furthest stage reached: 0 … len(open stages) - 1, or len(open) when won."""
    opens = {s.key: i for i, s in enumerate(pipeline.open_stages)}
    if path.status == "won":
        return len(opens)
    reached = max((opens[to] for to, _ in path.events if to in opens), default=0)
    if path.status == "lost" and path.lost_from in opens:
        reached = max(reached, opens[path.lost_from])
    return reached


def days_in_stages(path: Path) -> dict[str, float]:
    """Days spent in each stage over the visits that ended (a visit ends at the next event)."""
    spent: dict[str, float] = {}
    for (stage, entered), (_, left) in zip(path.events, path.events[1:]):
        spent[stage] = spent.get(stage, 0.0) + (left - entered).total_seconds() / 86400
    return spent


class FunnelRow(NamedTuple):
    group: str
    stage: str
    reached: int
    next_rate: float | None
    cumulative_rate: float | None
    open_now: int
    open_amount: int
    avg_days: float | None
    median_days: float | None


class SummaryRow(NamedTuple):
    group: str
    deals: int
    won: int
    lost: int
    win_rate: float | None
    won_amount: int
    avg_cycle_days: float | None
    median_cycle_days: float | None


def _ratio(top: int, bottom: int) -> float | None:
    return None if bottom == 0 else top / bottom


def _mean_median(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), statistics.median(values)


def funnel(pipeline: Pipeline, paths: Iterable[Path], group: str = "") -> list[FunnelRow]:
    """One row per open stage and one for `won`."""
    stages = list(pipeline.open_stages)
    reached = [0] * (len(stages) + 1)
    open_now = {s.key: 0 for s in stages}
    open_amount = {s.key: 0 for s in stages}
    days: dict[str, list[float]] = {s.key: [] for s in stages}
    for path in paths:
        far = furthest(pipeline, path)
        for i in range(far + 1):
            reached[i] += 1
        if path.status == "open" and path.stage in open_now:
            open_now[path.stage] += 1
            open_amount[path.stage] += path.amount
        for stage, spent in days_in_stages(path).items():
            if stage in days:
                days[stage].append(spent)
    rows = []
    for i, stage in enumerate(stages):
        avg, median = _mean_median(days[stage.key])
        rows.append(FunnelRow(group, stage.key, reached[i], _ratio(reached[i + 1], reached[i]),
                              _ratio(reached[i], reached[0]), open_now[stage.key], open_amount[stage.key], avg, median))
    won = reached[len(stages)]
    rows.append(FunnelRow(group, pipeline.won.key, won, None, _ratio(won, reached[0]), 0, 0, None, None))
    return rows


def summary(paths: Iterable[Path], group: str = "") -> SummaryRow:
    deals = won = lost = won_amount = 0
    cycles: list[float] = []
    for path in paths:
        deals += 1
        if path.status == "won":
            won += 1
            won_amount += path.amount
            if path.closed_at is not None:
                cycles.append((path.closed_at - path.created_at).total_seconds() / 86400)
        elif path.status == "lost":
            lost += 1
    avg, median = _mean_median(cycles)
    return SummaryRow(group, deals, won, lost, _ratio(won, won + lost), won_amount, avg, median)


def hollow(rows: list[FunnelRow], team: list[FunnelRow]) -> set[str]:
    """Stages whose next_rate is below half the team's next_rate for the same stage."""
    team_rate = {r.stage: r.next_rate for r in team}
    return {r.stage for r in rows
            if r.next_rate is not None and team_rate.get(r.stage) and r.next_rate < team_rate[r.stage] / 2}
