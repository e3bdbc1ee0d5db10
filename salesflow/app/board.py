"""`board`: the pipeline as a board — one column per open stage, deals as cards, ordered the way
Pipedrive orders its pipeline view: overdue follow-up first, then due today, then no follow-up planned,
then planned (the follow-up is the deal's planned next contact, `followup` / `touch --next`)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from salesflow.i18n import _
from salesflow.output import labels
from salesflow.output.report import Column, Report

STATES = ("overdue", "today", "no-plan", "planned")
STATE_WORDS = labels.BOARD_STATES
COLUMNS = [
    Column("deal_id", "id"), Column("customer"), Column("owner", "owner"), Column("stage", "stage"),
    Column("amount", "money"), Column("days_in_stage", "int"), Column("state", words=STATE_WORDS),
]


def state_of(next_followup: datetime | None, now: datetime) -> str:
    if next_followup is None:
        return "no-plan"
    if next_followup < now:
        return "overdue"
    return "today" if next_followup.date() == now.date() else "planned"


def _order(card: dict) -> tuple:
    rank = STATES.index(card["state"])
    follow = card["_next"] or datetime.max
    return (rank, -card["days_in_stage"] if card["state"] == "no-plan" else 0, follow, card["deal_id"])


def board(conn: sqlite3.Connection, now: datetime, rep: str | None = None, team: str | None = None,
          pipeline: str | None = None):
    """(the pipeline, the report of every card in stage order then board order)."""
    from salesflow.app.dashboard import scope_owners
    from salesflow.app.setup import default_pipeline
    from salesflow.store import deals as store
    from salesflow.store.pipelines import load_pipeline, stage_labels

    scope, owners = scope_owners(conn, rep, team)
    p = load_pipeline(conn, pipeline or default_pipeline(conn))
    cards = []
    for r in store.board_rows(conn, p.key, owners):
        entered = datetime.fromisoformat(r["stage_entered_at"])
        follow = datetime.fromisoformat(r["next_followup"]) if r["next_followup"] else None
        cards.append({"deal_id": r["deal_id"], "customer": r["customer"], "owner": r["owner"], "stage": r["stage"],
                      "amount": r["amount"], "days_in_stage": max(0, (now - entered).days), "state": state_of(follow, now),
                      "_next": follow})
    position = {s.key: i for i, s in enumerate(p.open_stages)}
    cards.sort(key=lambda c: (position.get(c["stage"], len(position)), *_order(c)))
    who = scope if scope != "all" else _("everyone")
    return p, Report(
        title=_("Board: {pipeline} — {scope}").format(pipeline=p.label_zh if _is_zh() else p.name, scope=who),
        columns=COLUMNS, rows=cards, stage_labels=stage_labels(conn), group_by="stage",
        empty=_("no open deals"),
        footer=[_("order: overdue follow-up, due today, no plan, planned · now {now:%Y-%m-%d %H:%M}").format(now=now)])


def _is_zh() -> bool:
    from salesflow.i18n import current

    return current() == "zh"
