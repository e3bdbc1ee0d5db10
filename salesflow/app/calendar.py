"""The due list as calendar events: one per deal, with a UID stable across exports."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from salesflow.store.pipelines import get_meta
from salesflow.i18n import _


@dataclass(frozen=True)
class Event:
    uid: str
    day: date
    at: datetime | None  # a scheduled follow-up with a time of day
    summary: str
    description: str


@dataclass(frozen=True)
class Calendar:
    name: str
    now: datetime
    events: list[Event]


def calendar_for(conn: sqlite3.Connection, items: list, now: datetime) -> Calendar:
    """`items` are app.due.DueItem; re-exporting updates events rather than duplicating them."""
    database = get_meta(conn, "database_id") or "salesflow"
    events = []
    for item in items:
        row, first = item.row, item.first
        overdue = row["days_overdue"] > 0
        timed = not overdue and first is not None and first.rule == "scheduled" and first.at.time() != datetime.min.time()
        events.append(Event(
            uid=f"deal-{row['deal_id']}@{database}.salesflow",
            day=now.date() if overdue else row["due_date"],  # overdue work belongs on today's agenda
            at=first.at if timed else None,
            summary=f"#{row['deal_id']} {row['customer']}: {row['next_action']}",
            description=_("{title} — stage {stage}, grade {grade}, owner {value}\nwhy: {replace}\nurgency {urgency:.2f}\nexplain: salesflow why {deal_id}").format(title=row['title'], stage=row['stage'], grade=row['grade'], value=row['owner'] or 'unassigned', replace=row['reasons'].replace(';', ', '), urgency=row['urgency'], deal_id=row['deal_id']),
        ))
    return Calendar(name="salesflow — due", now=now, events=events)
