"""Urgency: a weighted sum in the spirit of Taskwarrior's, every term printed by `salesflow why`.

    urgency = Σ weight(term) × factor(term)

| term     | factor (0 … 1)                                                                   | default weight |
|----------|----------------------------------------------------------------------------------|----------------|
| `due`    | 0.2 when due 14+ days ahead, rising linearly to 1.0 at 7+ days overdue           | 12.0           |
| `grade`  | A 1.0, B 0.5, C 0.0                                                              | 3.0            |
| `stage`  | the stage's win probability (closer to a signature matters more)                 | 4.0            |
| `amount` | log10(amount in major units + 1) ÷ 6, at most 1 (1,000,000 → 1.0)                | 3.0            |
| `breach` | SLA deadlines already passed (first-touch, cadence, visit-notes, …), at most 3, ÷ 3 | 3.0            |

Weights are per database (`salesflow config set urgency.due 15`). Scores are rounded to 2 decimals.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from salesflow.domain.money import MINOR_PER_MAJOR
from salesflow.i18n import _

DEFAULT_WEIGHTS: dict[str, float] = {"due": 12.0, "grade": 3.0, "stage": 4.0, "amount": 3.0, "breach": 3.0}
GRADE_FACTOR = {"A": 1.0, "B": 0.5, "C": 0.0}


class Term(NamedTuple):
    name: str
    factor: float
    weight: float
    detail: str

    @property
    def score(self) -> float:
        return self.factor * self.weight


def due_factor(days_overdue: int | None) -> float:
    if days_overdue is None:
        return 0.0
    if days_overdue >= 7:
        return 1.0
    if days_overdue <= -14:
        return 0.2
    return 0.2 + 0.8 * (days_overdue + 14) / 21


def amount_factor(amount_minor: int) -> float:
    return min(1.0, math.log10(amount_minor / MINOR_PER_MAJOR + 1) / 6)


def _factors(days_overdue: int | None, grade: str, probability: float, amount: int, breaches: int) -> tuple[float, ...]:
    """Each term's factor, in the order of the table above."""
    return (due_factor(days_overdue), GRADE_FACTOR.get(grade, 0.5), probability, amount_factor(amount),
            min(breaches, 3) / 3)


def urgency(*, days_overdue: int | None, grade: str, probability: float, amount: int, breaches: int,
            weights: dict[str, float]) -> float:
    """The same total as score(terms(...)) without the terms' words: `due --all` scores every listed deal."""
    w = DEFAULT_WEIGHTS | weights
    factors = _factors(days_overdue, grade, probability, amount, breaches)
    return round(sum(f * w[name] for f, name in zip(factors, DEFAULT_WEIGHTS)), 2)


def terms(*, days_overdue: int | None, grade: str, probability: float, amount: int, breaches: int,
          weights: dict[str, float]) -> list[Term]:
    w = DEFAULT_WEIGHTS | weights
    due_detail = (_("no deadline") if days_overdue is None else
                  _("{days_overdue} day{value} overdue").format(days_overdue=days_overdue, value='s' if abs(days_overdue) != 1 else '') if days_overdue > 0 else
                  _("due today") if days_overdue == 0 else _("due in {value} days").format(value=-days_overdue))
    due, grade_f, stage, amount_f, breach = _factors(days_overdue, grade, probability, amount, breaches)
    return [
        Term("due", due, w["due"], due_detail),
        Term("grade", grade_f, w["grade"], _("grade {grade}").format(grade=grade)),
        Term("stage", stage, w["stage"], _("win probability {probability:.0%}").format(probability=probability)),
        Term("amount", amount_f, w["amount"], _("amount (log scale)")),
        Term("breach", breach, w["breach"], _("{breaches} SLA deadline{value} passed").format(breaches=breaches, value='s' if breaches != 1 else '')),
    ]


def score(items: list[Term]) -> float:
    return round(sum(t.score for t in items), 2)
