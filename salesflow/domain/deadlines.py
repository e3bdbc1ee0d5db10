"""Follow-up deadlines: which rules apply to an open deal, when each falls due, and why.

| rule          | deadline                                                                    |
|---------------|-----------------------------------------------------------------------------|
| `scheduled`   | the deal's next follow-up time, if set                                      |
| `first-touch` | no touch yet: created + the grade's first-touch window                      |
| `cadence`     | last touch + the grade's cadence                                            |
| `stage-idle`  | max(stage entered, last touch) + the stage's idle limit, unless a scheduled |
|               | follow-up exists that is not yet past (a plan exists)                       |
| `visit-notes` | each `visit` touch without notes: its time + the pipeline's notes window    |
| `unassigned`  | no owner: created + the pipeline's assignment window                        |
| `escalated`   | (from `sweep`) an untouched lead escalated to the owner's manager           |
| `review`      | imported with no activity at all and untouched since: the import time       |
|               | (replaces first-touch, cadence, stage-idle and visit-notes until a touch)   |

Horizons are date-level: a deadline is within `days` when its date ≤ today + days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from salesflow.domain.pipeline import Pipeline
from salesflow.i18n import _

RULES = ("scheduled", "first-touch", "cadence", "stage-idle", "visit-notes", "unassigned", "escalated", "review")
# Rules that are promises the team made to the customer (an SLA); a passed one is a breach.
SLA_RULES = frozenset({"first-touch", "cadence", "visit-notes", "unassigned", "stage-idle", "escalated"})


class DueFacts(NamedTuple):
    """What the rules need to know about one open deal."""

    deal_id: int
    pipeline: str
    stage: str
    grade: str
    owner: str | None
    created_at: datetime
    stage_entered_at: datetime
    next_followup: datetime | None = None
    last_touch: datetime | None = None
    bare_visits: tuple[datetime, ...] = ()  # visit touches without notes
    escalated_at: datetime | None = None  # an open escalation from `sweep`
    review_from: datetime | None = None  # imported without any activity: due for a review from then


class Deadline(NamedTuple):
    rule: str
    at: datetime
    suppressed: str | None = None  # why the rule does not count, e.g. "a plan exists"


class Due(NamedTuple):
    facts: DueFacts
    deadlines: tuple[Deadline, ...]  # every deadline, earliest first (suppressed ones included)
    due_date: date | None  # the date of the earliest counting deadline
    reasons: tuple[str, ...] = ()  # rules whose deadline falls within the horizon
    counting: tuple[Deadline, ...] = ()  # the deadlines that count (not suppressed), earliest first


def idle_since(f: DueFacts) -> datetime:
    """When the deal last showed life in its stage: the later of entering it and the last touch."""
    return max(f.stage_entered_at, f.last_touch) if f.last_touch else f.stage_entered_at


def deadlines(f: DueFacts, pipeline: Pipeline, now: datetime) -> list[Deadline]:
    """Every deadline of an open deal, earliest first; suppressed ones carry the reason."""
    sla = pipeline.grades.get(f.grade) or pipeline.grades["B"]
    stage = pipeline.stage(f.stage)
    found: list[Deadline] = []
    if f.next_followup is not None:
        found.append(Deadline("scheduled", f.next_followup))
    if f.review_from is not None and f.last_touch is None:
        # what the old CRM knew about this deal's rhythm is lost: one review, not deadlines dated years ago
        found.append(Deadline("review", f.review_from))
    elif f.last_touch is None:
        found.append(Deadline("first-touch", f.created_at + timedelta(days=sla.first_touch_days)))
    else:
        found.append(Deadline("cadence", f.last_touch + timedelta(days=sla.cadence_days)))
    if stage.idle_days is not None and not (f.review_from is not None and f.last_touch is None):
        since = idle_since(f)
        plan = f.next_followup is not None and f.next_followup >= now
        found.append(Deadline("stage-idle", since + timedelta(days=stage.idle_days),
                              _("a follow-up is planned") if plan else None))
    for visit in f.bare_visits:
        found.append(Deadline("visit-notes", visit + timedelta(hours=pipeline.visit_notes_hours)))
    if f.owner is None:
        found.append(Deadline("unassigned", f.created_at + timedelta(minutes=pipeline.assign_minutes)))
    if f.escalated_at is not None:
        found.append(Deadline("escalated", f.escalated_at))
    return sorted(found, key=lambda d: (d.at, RULES.index(d.rule)))


def evaluate(f: DueFacts, pipeline: Pipeline, now: datetime, days: int = 0) -> Due:
    """The deal's due date and the reasons within the horizon `today + days`."""
    found = deadlines(f, pipeline, now)
    counting = tuple(d for d in found if d.suppressed is None)
    horizon = now.date() + timedelta(days=days)
    reasons: list[str] = []
    for d in counting:
        if d.at.date() <= horizon and d.rule not in reasons:
            reasons.append(d.rule)
    return Due(f, tuple(found), counting[0].at.date() if counting else None, tuple(reasons), counting)


def is_listed(due: Due, now: datetime, days: int) -> bool:
    return due.due_date is not None and due.due_date <= now.date() + timedelta(days=days)


def days_overdue(due: Due, now: datetime) -> int | None:
    return None if due.due_date is None else (now.date() - due.due_date).days


def breaches(due: Due, now: datetime) -> list[Deadline]:
    """SLA deadlines already passed (an instant, not a date: a first touch due at 15:00 is fine at 14:00)."""
    return [d for d in due.counting if d.rule in SLA_RULES and d.at < now]


def _age(delta: timedelta) -> str:
    from salesflow.domain.dates import age

    return age(delta)


def next_action(due: Due, now: datetime, stage_label: str | None = None) -> str:
    """What to do, in words: a manager's action (unassigned, escalated) first, else the earliest reason.
    `stage_label`: how the stage reads in the current language (default: its key)."""
    f = due.facts
    managerial = [r for r in ("unassigned", "escalated") if r in due.reasons]
    rule = managerial[0] if managerial else due.reasons[0] if due.reasons else (
        due.counting[0].rule if due.counting else None)
    deadline = next((d for d in due.counting if d.rule == rule), None)
    late = deadline is not None and deadline.at.date() < now.date()
    if rule == "unassigned":
        return _("assign an owner — unassigned for {age}").format(age=_age(now - f.created_at))
    if rule == "escalated":
        return _("escalated: {owner} has not touched this {grade}-grade lead in {age}").format(owner=f.owner, grade=f.grade, age=_age(now - f.created_at))
    if rule == "review":
        return _("imported without activity — review it (imported {review_from:%Y-%m-%d})").format(review_from=f.review_from)
    if rule == "first-touch":
        return _("first call — {grade}-grade lead untouched {age}").format(grade=f.grade, age=_age(now - f.created_at))
    if rule == "visit-notes" and f.bare_visits:
        return _("write visit notes (visit on {bare_visits:%m-%d %H:%M})").format(bare_visits=min(f.bare_visits))
    if rule == "scheduled":
        if late:
            return _("follow up as planned — {age} late").format(
                age=_age(timedelta(days=(now.date() - deadline.at.date()).days)))
        if f.next_followup and f.next_followup.time() != datetime.min.time():
            return _("follow up as planned at {time:%H:%M}").format(time=f.next_followup)
        return _("follow up as planned")
    if rule == "cadence" and f.last_touch is not None:
        return _("touch base — {grade}-grade, last touch {age} ago").format(grade=f.grade, age=_age(now - f.last_touch))
    if rule == "stage-idle":
        return _("stage idle: no plan in {stage} for {age} — schedule a follow-up or move it").format(stage=stage_label or f.stage, age=_age(now - idle_since(f)))
    return _("nothing due")
