"""Reads about deals: the `deals` list and the `show` card with its timeline."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from salesflow.domain.choose import choose
from salesflow.domain.errors import BadInput
from salesflow.domain.vocabulary import GRADES, STATUSES
from salesflow.domain.text import name_key
from salesflow.domain.money import to_major_str
from salesflow.output.emit import Fixed
from salesflow.output.report import Column, Report
from salesflow.store import deals as store
from salesflow.store.pipelines import load_pipeline, stage_labels
from salesflow.store.reps import find_rep
from salesflow.i18n import _

# `export deals` and `deals -f csv`: stable, documented, never reordered (more may follow).
# On a narrow terminal the id, customer and amount stay; grade, status and owner go first.
DEAL_COLUMNS = [
    Column("deal_id", "id"), Column("external_id", in_table=False), Column("title", priority=4), Column("customer", priority=1),
    Column("contact", in_table=False), Column("phone", "phone", in_table=False), Column("email", in_table=False),
    Column("owner", priority=6), Column("pipeline", in_table=False), Column("stage", "stage", priority=2),
    Column("status", "status", priority=7), Column("amount", "money", priority=0), Column("close_date", "date", priority=5),
    Column("source", in_table=False), Column("grade", priority=8), Column("created_at", "datetime", in_table=False),
    Column("closed_at", "datetime", in_table=False), Column("lost_reason", in_table=False),
    Column("next_followup", "datetime", priority=3),
    Column("fields", "json", in_table=False),  # process fields as one JSON object ({} when none)
    Column("history", in_table=False),  # "unknown": imported closed without saying how far it got; else empty
    Column("last_activity", "datetime", in_table=False),  # the last activity an imported file gave; else empty
]


def deal_row(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "deal_id": row["id"], "external_id": row["external_id"], "title": row["title"],
        "customer": row["customer"], "contact": row["contact"], "phone": row["phone"], "email": row["email"],
        "owner": row["owner"], "pipeline": row["pipeline"], "stage": row["stage"], "status": row["status"],
        "amount": row["amount"], "close_date": row["close_date"], "source": row["source"],
        "grade": row["grade"], "created_at": row["created_at"], "closed_at": row["closed_at"],
        "lost_reason": row["lost_reason"], "next_followup": row["next_followup"], "fields": row["fields"],
        "history": row["history"], "last_activity": row["last_activity_at"],
    }


@dataclass(frozen=True)
class DealQuery:
    rep: str | None = None
    stage: str | None = None
    status: str = "open"
    grade: str | None = None
    source: str | None = None
    customer: str | None = None
    pipeline: str | None = None


def deals_report(conn: sqlite3.Connection, q: DealQuery) -> Report:
    from salesflow.output import labels

    # a status as the screen shows it: open, 进行中, Won …
    status = choose(q.status, [(k, (_(labels.STATUS[k]),)) for k in STATUSES] + [("all", (_("all"),))], _("status"),
                    missing=_("status {status!r} is not a status").format(status=q.status),
                    listed=", ".join((*STATUSES, "all")))
    grade = q.grade.upper() if q.grade else None
    if grade and grade not in GRADES:
        raise BadInput(_("grade {grade!r} is not a grade").format(grade=q.grade), hint=_("grades are A, B and C"))
    unassigned = q.rep in ("-", "none")
    owner = None if (q.rep is None or unassigned) else rep_handle(conn, q.rep)
    stage, pipeline = None, None
    if q.pipeline:
        chosen = load_pipeline(conn, q.pipeline)
        pipeline = chosen.key
        stage = chosen.find_stage(q.stage).key if q.stage else None
    elif q.stage:  # any pipeline's stage, as the screen shows it (key, name or label, any case, a prefix)
        known = stage_labels(conn)
        stage = choose(q.stage, [(k, names) for k, names in known.items()], _("stage"),
                       listed=", ".join(f"{k} ({zh})" for k, (_, zh) in known.items()))
    if stage is not None and stage in ("won", "lost") and status == "open":
        status = stage  # `--stage won` means the won deals, whatever the default status
    f = store.DealFilter(owner=owner, unassigned=unassigned, stage=stage,
                         status=None if status == "all" else status, grade=grade, source=q.source,
                         customer_key=name_key(q.customer) if q.customer else None, pipeline=pipeline)
    scope = [f"status {status}"] + [f"{k} {v}" for k, v in (("rep", q.rep), ("stage", stage), ("grade", grade),
                                                              ("source", q.source), ("customer", q.customer)) if v]
    return Report(
        title=_("Deals — {scope}").format(scope=", ".join(scope)),
        columns=DEAL_COLUMNS,
        rows=(deal_row(r) for r in store.list_deals(conn, f)),
        stage_labels=stage_labels(conn),
        empty=_("no deals match"),
    )


def rep_handle(conn: sqlite3.Connection, rep: str) -> str:
    found = find_rep(conn, rep.strip())
    if found is None:
        from salesflow.app.reps import no_rep

        raise no_rep(conn, rep.strip())
    return found.handle


@dataclass
class Card:
    """Everything `show` prints about one deal."""

    fields: list[tuple[str, str, Any]]  # (key, kind, value) in display order
    process: list[tuple[str, str, str, str]]  # (key, name, label_zh, value)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    stage_labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    title: str = ""  # the card's heading
    deal_id: int = 0
    deal_title: str = ""
    checklist: list[dict[str, Any]] = field(default_factory=list)  # the stage's standard actions (app.playbook)


def show_deal(conn: sqlite3.Connection, deal_id: int, now: datetime) -> Card:
    from salesflow.app.playbook import checklist, steps_text  # (not on the `deals` list's path)

    deal = store.get_deal(conn, deal_id)
    pipeline = load_pipeline(conn, deal.pipeline)
    days = (now - deal.stage_entered_at).days if deal.is_open and now >= deal.stage_entered_at else None
    fields: list[tuple[str, str, Any]] = [
        ("customer", "text", deal.customer), ("contact", "text", deal.contact), ("phone", "text", deal.phone),
        ("email", "text", deal.email), ("owner", "text", deal.owner or "unassigned"),
        ("pipeline", "text", deal.pipeline), ("stage", "stage", deal.stage), ("status", "status", deal.status),
        ("days_in_stage", "int", days), ("amount", "money", deal.amount),
        ("close_date", "date", deal.close_date), ("grade", "text", deal.grade), ("source", "text", deal.source),
        ("next_followup", "datetime", deal.next_followup), ("created_at", "datetime", deal.created_at),
    ]
    if not deal.is_open:
        fields.append(("closed_at", "datetime", deal.closed_at))
    if deal.lost_reason:
        fields.append(("lost_reason", "text", deal.lost_reason))
    if deal.fields.get("currency") and deal.fields.get("amount_original"):
        fields.append(("amount_original", "text", f"{deal.fields['amount_original']} {deal.fields['currency']}"))
    if deal.last_activity_at:
        fields.append(("last_activity_at", "datetime", deal.last_activity_at))
    if deal.external_id:
        fields.append(("external_id", "text", deal.external_id))
    if deal.history:
        fields.append(("history", "text", _("{history} (imported without how far it got: left out of stage reach)").format(history=deal.history)))
    process = [(f.key, f.name, f.label_zh, deal.fields.get(f.key, "")) for f in pipeline.fields]
    timeline: list[dict[str, Any]] = []
    from salesflow.i18n import current
    from salesflow.output.labels import TOUCH_KINDS, pick, word

    names = stage_labels(conn)
    shown = (lambda key: pick(names[key], "zh") if key in names else key) if current() == "zh" else (lambda key: key)
    for r in store.timeline(conn, deal_id):
        if r["type"] == "stage":
            what = (_("created in {stage}").format(stage=shown(r["to_stage"])) if r["from_stage"] is None
                    else f"{shown(r['from_stage'])} → {shown(r['to_stage'])}")
            detail = (_("forced; ") if r["forced"] else "") + (r["reason"] or "")
        else:
            what = word(TOUCH_KINDS, r["kind"])
            detail = " — ".join(x for x in (r["contact"], r["outcome"], r["notes"],
                                            steps_text(r["template"], r["steps"], pipeline)) if x)
        timeline.append({"at": datetime.fromisoformat(r["at"]), "type": r["type"], "id": r["id"], "what": what,
                         "by": r["by"], "detail": detail.strip()}
                        | ({"template": r["template"], "steps": json.loads(r["steps"])} if r["steps"] else {}))
    return Card(fields=fields, process=process, timeline=timeline, stage_labels=stage_labels(conn),
                title=f"#{deal.id} {deal.title}", deal_id=deal.id, deal_title=deal.title,
                checklist=checklist(conn, deal, pipeline))


def card_json(card: Card) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        return value

    data: dict[str, Any] = {"deal_id": card.deal_id, "title": card.deal_title}
    for key, kind, value in card.fields:
        data[key] = Fixed(to_major_str(value)) if kind == "money" else plain(value)
    data["process_fields"] = {key: value for key, _name, _zh, value in card.process}  # keyed as `deals -f json` fields
    data["timeline"] = [{k: plain(v) for k, v in row.items()} for row in card.timeline]
    data["checklist"] = [{k: plain(v) for k, v in row.items() if k not in ("name", "stage_word")} for row in card.checklist]
    return data


def stage_summary(conn: sqlite3.Connection, owner: str | None = None) -> Report:
    rows = [dict(r) for r in store.stage_counts(conn, owner)]
    return Report(
        title=_("Open pipeline by stage") + (f" — {owner}" if owner else ""),
        columns=[Column("pipeline", in_table=False), Column("stage", "stage"), Column("deals", "int"), Column("amount", "money")],
        rows=rows,
        stage_labels=stage_labels(conn),
    )
