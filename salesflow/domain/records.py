"""Small immutable records the rules work on; the store builds them from rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

TOUCH_KINDS = ("call", "visit", "meeting", "email", "wechat", "demo", "quote", "note")
TOUCH_KIND_ALIASES = {
    "电话": "call", "拜访": "visit", "会议": "meeting", "会面": "meeting", "邮件": "email",
    "微信": "wechat", "演示": "demo", "报价": "quote", "备注": "note",
}
ROLES = ("rep", "manager", "admin")
GRADES = ("A", "B", "C")
STATUSES = ("open", "won", "lost")


@dataclass(frozen=True)
class Deal:
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
    fields: Mapping[str, str] = field(default_factory=dict)

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


@dataclass(frozen=True)
class Touch:
    id: int
    deal_id: int
    kind: str
    at: datetime
    by: str
    notes: str | None = None
    outcome: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class StageEvent:
    id: int
    deal_id: int
    from_stage: str | None
    to_stage: str
    at: datetime
    by: str
    reason: str | None = None
    forced: bool = False


@dataclass(frozen=True)
class Rep:
    handle: str
    name: str
    role: str = "rep"
    manager: str | None = None
    team: str | None = None
    capacity: int = 50
    active: bool = True
