"""Forecast: stage probabilities learned from history, weighted amounts by close month, ranges.

    p(s) = (w + k · prior) ÷ (n + k)

n = closed deals (won or lost, closed within the lookback) that *reached* s — the funnel's rule —
w = the won among them, prior = the stage's prior, k = the prior weight. With no history p = prior.
Money stays integer minor units: weighted = round(amount × p).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from salesflow.domain.funnel import Path, furthest
from salesflow.domain.pipeline import Pipeline

PAST_DUE, UNSCHEDULED, LATER = "past-due", "unscheduled", "later"


class StageP(NamedTuple):
    stage: str
    prior: float
    closed_reached: int  # n
    won_reached: int  # w
    probability: float


def probabilities(pipeline: Pipeline, closed: Iterable[Path], k: float) -> dict[str, StageP]:
    """p(s) for every open stage from the closed deals' paths (already limited to the lookback)."""
    return from_reach(pipeline, ((path.status, furthest(pipeline, path), 1) for path in closed), k)


def from_reach(pipeline: Pipeline, reach: Iterable[tuple[str, int, int]], k: float) -> dict[str, StageP]:
    """p(s) from counts of closed deals: (status, furthest stage position reached, how many deals) — what
    the stored derived facts give without replaying any event."""
    opens = pipeline.open_stages
    n = [0] * len(opens)
    w = [0] * len(opens)
    for status, reached, count in reach:
        far = min(reached, len(opens) - 1)  # a won deal reached every open stage
        for i in range(far + 1):
            n[i] += count
            if status == "won":
                w[i] += count
    out = {}
    for i, stage in enumerate(opens):
        p = stage.prior if n[i] + k == 0 else (w[i] + k * stage.prior) / (n[i] + k)
        out[stage.key] = StageP(stage.key, stage.prior, n[i], w[i], p)
    return out


def bucket(close: date | None, today: date, months: int | None) -> str:
    """`past-due` before this month, `YYYY-MM`, `later` beyond this month + N, `unscheduled` without."""
    if close is None:
        return UNSCHEDULED
    if (close.year, close.month) < (today.year, today.month):
        return PAST_DUE
    ahead = (close.year - today.year) * 12 + close.month - today.month
    if months is not None and ahead > months:
        return LATER
    return f"{close.year:04d}-{close.month:02d}"


def bucket_order(name: str) -> tuple:
    return {PAST_DUE: (0, ""), UNSCHEDULED: (3, ""), LATER: (2, "")}.get(name, (1, name))


def weighted(amount: int, p: float) -> int:
    return round(amount * p)


def simulate(deals: list[tuple[int, float]], runs: int, seed: int) -> tuple[int, int, int]:
    """P10 / P50 / P90 of the amount won when each (amount, p) deal is won with probability p.
    Seeded, so the same seed gives the same numbers to the cent; numpy when it is installed."""
    if not deals or runs < 1:
        return 0, 0, 0
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency; this keeps the rule readable
        rng = random.Random(seed)
        totals = sorted(sum(a for a, p in deals if rng.random() < p) for _ in range(runs))
        return tuple(totals[min(runs - 1, int(q * runs))] for q in (0.1, 0.5, 0.9))  # type: ignore[return-value]
    rng = np.random.default_rng(seed)
    amounts = np.array([a for a, _ in deals], dtype=np.int64)
    probs = np.array([p for _, p in deals])
    totals = np.zeros(runs, dtype=np.int64)
    chunk = max(1, 2_000_000 // len(deals))  # bounded memory: runs × deals booleans per chunk
    for start in range(0, runs, chunk):
        stop = min(runs, start + chunk)
        wins = rng.random((stop - start, len(deals))) < probs
        totals[start:stop] = wins.astype(np.int64) @ amounts
    totals.sort()
    return tuple(int(totals[min(runs - 1, int(q * runs))]) for q in (0.1, 0.5, 0.9))  # type: ignore[return-value]
