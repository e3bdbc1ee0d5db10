"""The cohort funnel with "reached" semantics, shared by analytics and forecast.

A deal *reached* a stage if the furthest stage it ever entered is that stage or later; a won deal
reached every open stage and `won`; a lost deal reached the stages up to the one it was lost from
(a forced skip past a stage counts as reaching it). Time in a stage is counted from the visits
that ended (a deal lost from a stage left it at the loss; repeated visits are summed).
"""

from __future__ import annotations

import statistics
from array import array
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
    for (stage, entered), (_next, left) in zip(path.events, path.events[1:]):
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


class Tally:
    """Accumulates a funnel one deal at a time, so a report over a million deals holds only counts and
    the per-stage day counts its medians need (8 bytes each), never the deals themselves."""

    def __init__(self, pipeline: Pipeline):
        self.stages = [s.key for s in pipeline.open_stages]
        self.pipeline = pipeline
        self.reached = [0] * (len(self.stages) + 1)
        self.open_now = dict.fromkeys(self.stages, 0)
        self.open_amount = dict.fromkeys(self.stages, 0)
        self.days: dict[str, array] = {s: array("d") for s in self.stages}
        self.day_stats: dict[str, tuple[float | None, float | None]] = {}  # set from counts (add_counts)

    def add_counts(self, reached: int, count: int, open_stage: str | None = None, open_amount: int = 0) -> None:
        """`count` deals whose furthest stage is `reached`, open in `open_stage` (None: closed) with that
        much open amount: the same arithmetic as `add`, from counts a query made."""
        for i in range(reached + 1):
            self.reached[i] += count
        if open_stage in self.open_now:
            self.open_now[open_stage] += count
            self.open_amount[open_stage] += open_amount

    def set_days(self, stage: str, avg: float | None, median: float | None) -> None:
        if stage in self.days:
            self.day_stats[stage] = (avg, median)

    def add(self, path: Path) -> None:
        for i in range(furthest(self.pipeline, path) + 1):
            self.reached[i] += 1
        if path.status == "open" and path.stage in self.open_now:
            self.open_now[path.stage] += 1
            self.open_amount[path.stage] += path.amount
        for stage, spent in days_in_stages(path).items():
            if stage in self.days:
                self.days[stage].append(spent)

    def rows(self, group: str = "") -> list[FunnelRow]:
        """One row per open stage and one for `won`."""
        reached, out = self.reached, []
        for i, stage in enumerate(self.stages):
            avg, median = self.day_stats.get(stage) or _mean_median(self.days[stage])
            out.append(FunnelRow(group, stage, reached[i], _ratio(reached[i + 1], reached[i]),
                                 _ratio(reached[i], reached[0]), self.open_now[stage], self.open_amount[stage], avg, median))
        won = reached[len(self.stages)]
        out.append(FunnelRow(group, self.pipeline.won.key, won, None, _ratio(won, reached[0]), 0, 0, None, None))
        return out


def funnel(pipeline: Pipeline, paths: Iterable[Path], group: str = "") -> list[FunnelRow]:
    """One row per open stage and one for `won`."""
    tally = Tally(pipeline)
    for path in paths:
        tally.add(path)
    return tally.rows(group)


class SummaryTally:
    """Per-group outcome counts and won-deal cycle days, accumulated one deal at a time (or set in bulk
    from counts a query made: the arithmetic of the row is the same)."""

    def __init__(self) -> None:
        self.deals = self.won = self.lost = self.won_amount = 0
        self.cycles = array("d")

    def add(self, path: Path) -> None:
        self.deals += 1
        if path.status == "won":
            self.won += 1
            self.won_amount += path.amount
            if path.closed_at is not None:
                self.cycles.append((path.closed_at - path.created_at).total_seconds() / 86400)
        elif path.status == "lost":
            self.lost += 1

    def row(self, group: str = "") -> SummaryRow:
        avg, median = _mean_median(self.cycles)
        return SummaryRow(group, self.deals, self.won, self.lost, _ratio(self.won, self.won + self.lost),
                          self.won_amount, avg, median)


def summary(paths: Iterable[Path], group: str = "") -> SummaryRow:
    tally = SummaryTally()
    for path in paths:
        tally.add(path)
    return tally.row(group)


def hollow(rows: list[FunnelRow], team: list[FunnelRow]) -> set[str]:
    """Stages whose next_rate is below half the team's next_rate for the same stage."""
    team_rate = {r.stage: r.next_rate for r in team}
    return {r.stage for r in rows
            if r.next_rate is not None and team_rate.get(r.stage) and r.next_rate < team_rate[r.stage] / 2}
