"""Small immutable records the rules work on; the store builds them from rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import NamedTuple


class Deal(NamedTuple):
    id: int
    title: str
    customer: str
    pipeline: str
    stage: str
    status: str
    created_at: datetime
    stage_entered_at: datetime
    customer_id: int | None = None
    contact_id: int | None = None
    contact: str | None = None
    phone: str | None = None
    email: str | None = None
    owner: str | None = None
    amount: int = 0
    close_date: date | None = None
    source: str | None = None
    grade: str = "B"
    next_followup: datetime | None = None
    closed_at: datetime | None = None
    lost_reason: str | None = None
    lost_from_stage: str | None = None
    external_id: str | None = None
    fields: Mapping[str, str] = MappingProxyType({})  # read-only: copy before changing
    history: str | None = None  # "unknown": imported closed without how far it got
    last_activity_at: datetime | None = None  # the last activity another CRM's file recorded

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def value(self, name: str) -> object:
        """A criterion's view of the deal: built-in attributes first, then process fields."""
        if name in _BUILTIN_VALUES:
            return getattr(self, name)
        return self.fields.get(name)


_BUILTIN_VALUES = {
    "title", "customer", "contact", "phone", "email", "owner", "amount", "close_date", "source",
    "grade", "lost_reason", "next_followup",
}


class Touch(NamedTuple):
    id: int
    deal_id: int
    kind: str
    at: datetime
    by: str
    notes: str | None = None
    outcome: str | None = None
    contact: str | None = None


class Rep(NamedTuple):
    handle: str
    name: str
    role: str = "rep"
    manager: str | None = None
    team: str | None = None
    capacity: int = 50
    active: bool = True
