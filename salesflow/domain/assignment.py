"""Who gets an unassigned deal: the active rep with the lowest open-deals ÷ capacity ratio;
ties go to the rep with fewer deals assigned in the last 24 h, then to the handle. Deterministic."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass
class Candidate:
    handle: str
    team: str | None
    capacity: int
    open_deals: int
    recent: int  # deals assigned to them in the last 24 h

    @property
    def load(self) -> Fraction:
        return Fraction(self.open_deals, self.capacity)


def pick(candidates: list[Candidate], exclude: frozenset[str] = frozenset(), team: str | None = None) -> Candidate | None:
    """The rep to assign to, or None when nobody has capacity; the caller counts the new deal."""
    eligible = [c for c in candidates if c.capacity > 0 and c.handle not in exclude and (team is None or c.team == team)]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (c.load, c.recent, c.handle))


def take(candidate: Candidate) -> None:
    candidate.open_deals += 1
    candidate.recent += 1
