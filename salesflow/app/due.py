"""The morning list (`due`), its explanation (`why`), and the weekly reactivation list (`silent`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from salesflow.domain import deadlines as rules
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, NotFound
from salesflow.domain.pipeline import Pipeline
from salesflow.domain.urgency import DEFAULT_WEIGHTS, score, terms, urgency as total
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store import due as store, facts as derived
from salesflow.store.pipelines import get_meta, load_pipeline, stage_labels
from salesflow.store.reps import find_rep
from salesflow.i18n import _

# On a narrow terminal: id, customer, stage, days late, why and the next action stay (text cut with "…");
# the owner (the title names them), grade, urgency and due date go first.
DUE_COLUMNS = [
    Column("deal_id", "id"), Column("customer", priority=1), Column("title", in_table=False),
    Column("owner", "owner", priority=9), Column("stage", "stage", priority=2), Column("grade", priority=8),
    Column("due_date", "date", priority=6), Column("days_overdue", "int", priority=0),
    Column("reasons", "tags", priority=3), Column("urgency", "score", priority=7), Column("next_action", priority=4),
]


def weights(conn: sqlite3.Connection) -> dict[str, float]:
    found = {}
    for name in DEFAULT_WEIGHTS:
        value = get_meta(conn, f"urgency.{name}")
        if value is not None:
            found[name] = float(value)
    return found


class Pipelines(dict):
    """Pipelines by key, loaded once per command."""

    def __init__(self, conn: sqlite3.Connection):
        super().__init__()
        self.conn = conn

    def __missing__(self, key: str) -> Pipeline:
        self[key] = load_pipeline(self.conn, key)
        return self[key]


facts = store.due_facts  # a row of store.due.FACTS → the rules' DueFacts


@dataclass(slots=True)
class DueItem:
    row: dict[str, Any]
    first: rules.Deadline | None  # the earliest counting deadline (a calendar's event time); not the whole
    overdue: bool                 # Due, which a list of 600,000 imported deals could not hold in memory


def evaluate_rows(conn: sqlite3.Connection, scope: store.DueScope, now: datetime, days: int) -> list[DueItem]:
    pipelines = Pipelines(conn)
    w = weights(conn)
    items = []
    before = None  # every owner's list: only the deals whose stored deadlines fall in the horizon are read
    if scope.owners is None and scope.only_deal is None and derived.current(conn, iso(now)):
        before = iso(datetime.combine(now.date() + timedelta(days=days + 1), datetime.min.time()))
    for r in store.due_rows(conn, scope, iso(now), before):
        f = facts(r)
        pipeline = pipelines[f.pipeline]
        due = rules.evaluate(f, pipeline, now, days)
        if not rules.is_listed(due, now, days):
            continue
        overdue_days = rules.days_overdue(due, now)
        stage = pipeline.stage(f.stage)
        urgency = total(days_overdue=overdue_days, grade=f.grade, probability=stage.prior,
                        amount=r["amount"], breaches=len(rules.breaches(due, now)), weights=w)
        items.append(DueItem({
            "deal_id": f.deal_id, "customer": r["customer"], "title": r["title"], "owner": f.owner,
            "stage": f.stage, "grade": f.grade, "due_date": due.due_date, "days_overdue": overdue_days,
            "reasons": ";".join(due.reasons), "urgency": urgency, "next_action": rules.next_action(due, now, stage.word),
        }, due.counting[0] if due.counting else None, overdue_days > 0))
    return items


def _order(item: DueItem) -> tuple:
    d = item.row["days_overdue"]
    if d > 0:
        return (0, -item.row["urgency"], item.row["deal_id"])
    if d == 0:
        return (1, -item.row["urgency"], item.row["deal_id"])
    return (2, -d, -item.row["urgency"], item.row["deal_id"])  # upcoming: soonest first


@dataclass(frozen=True)
class DueQuery:
    rep: str | None = None
    all: bool = False
    team: str | None = None
    days: int = 0


def due_report(conn: sqlite3.Connection, q: DueQuery, now: datetime) -> tuple[Report, list[DueItem]]:
    if not 0 <= q.days <= 3650:
        raise BadInput(_("--days {days} is out of range").format(days=q.days) if q.days > 0 else _("--days {days} is negative").format(days=q.days),
                       hint=_("--days N looks N days ahead (0 = today; at most 3650)"))
    others = False  # a manager's list: other reps' deals (escalated, unassigned)
    if q.all:
        scope, title = store.DueScope(owners=None, unassigned=True, escalations=True), _("Due — every rep")
    elif q.team:
        handles = store.team_handles(conn, q.team)
        if not handles:
            raise NotFound(_("no reps in team {team!r}").format(team=q.team), hint=_("list teams with: salesflow rep list"))
        scope, title = store.DueScope(owners=tuple(handles)), _("Due — team {team}").format(team=q.team)
    else:
        if not q.rep:
            raise BadInput(_("whose list? no rep given"), hint=_("use --as HANDLE, or set SALESFLOW_REP"))
        rep = find_rep(conn, q.rep)
        if rep is None:
            from salesflow.app.reps import no_rep

            raise no_rep(conn, q.rep, hint=_("use --as HANDLE (see: salesflow rep list), or set SALESFLOW_REP"))
        manager = rep.role in ("manager", "admin")
        others = manager
        scope = store.DueScope(owners=(rep.handle,), unassigned=manager, escalated_to=rep.handle if manager else None,
                               escalations=manager)
        title = _("Due — {handle} ({name})").format(handle=rep.handle, name=rep.name) + (
            _(" with unassigned leads and escalations") if manager else "")
    items = evaluate_rows(conn, scope, now, q.days)
    if q.all or q.team:
        items.sort(key=lambda i: (i.row["owner"] is not None, i.row["owner"] or "", _order(i)))
    else:
        items.sort(key=_order)
    horizon = _("today") if q.days == 0 else _("today + {days} days ({isoformat})").format(days=q.days, isoformat=(now.date() + timedelta(days=q.days)).isoformat())
    overdue = sum(1 for i in items if i.overdue)
    report = Report(
        title=title,
        # a manager's list holds other reps' deals: there the owner is what matters most after the deal
        columns=[c._replace(priority=1) if c.key == "owner" else c for c in DUE_COLUMNS] if others else DUE_COLUMNS,
        rows=[i.row for i in items],
        footer=[_("{n} due by {horizon}, {overdue} overdue · now {now:%Y-%m-%d %H:%M} · urgency terms: salesflow why DEAL").format(n=len(items), horizon=horizon, overdue=overdue, now=now)],
        stage_labels=stage_labels(conn),
        empty=_("nothing due by {horizon} — well done").format(horizon=horizon),
        group_by="owner" if (q.all or q.team) else None,
        late_by="days_overdue",
    )
    return report, items


# ---------------------------------------------------------------------------------------------
# why


@dataclass
class Explanation:
    deal_id: int
    title: str
    deadlines: Report
    urgency: Report
    probability: str
    next_stage: str | None
    unmet: list[str]
    checklist: list[dict] = field(default_factory=list)  # the stage's standard actions (app.playbook.checklist)


def why(conn: sqlite3.Connection, deal_id: int, now: datetime, days: int = 0) -> Explanation:
    from salesflow.domain.criteria import unmet_for_move
    from salesflow.store import deals as deal_store

    deal = deal_store.get_deal(conn, deal_id)
    pipeline = load_pipeline(conn, deal.pipeline)
    rows = list(store.due_rows(conn, store.DueScope(only_deal=deal_id, escalations=True), iso(now)))
    f = facts(rows[0])
    stage = pipeline.stage(deal.stage)
    if not deal.is_open:
        found, due = [], None
    else:
        due = rules.evaluate(f, pipeline, now, days)
        found = list(due.deadlines)
    horizon = now.date() + timedelta(days=days)
    deadline_rows = [{
        "rule": d.rule, "deadline": d.at, "counts": d.suppressed is None,
        "status": (_("suppressed: {why}").format(why=d.suppressed) if d.suppressed else
                   _("passed") if d.at < now else _("within horizon") if d.at.date() <= horizon else _("later")),
    } for d in found]
    overdue = rules.days_overdue(due, now) if due else None
    from salesflow.app.forecast import ForecastQuery, stage_probabilities

    learned = stage_probabilities(conn, deal.pipeline, now, ForecastQuery()).get(stage.key) if stage.is_open else None
    term_list = terms(days_overdue=overdue, grade=f.grade, probability=stage.prior, amount=deal.amount,
                      breaches=len(rules.breaches(due, now)) if due else 0, weights=weights(conn))
    term_rows = [{"term": t.name, "factor": round(t.factor, 3), "weight": t.weight, "score": round(t.score, 2),
                  "detail": t.detail} for t in term_list]
    term_rows.append({"term": "total", "factor": None, "weight": None, "score": score(term_list),
                      "detail": _("urgency")})
    next_stage, unmet, actions = None, [], []
    if deal.is_open:
        position = pipeline.position(stage.key)
        target = pipeline.open_stages[position + 1] if position + 1 < len(pipeline.open_stages) else pipeline.won
        next_stage = target.key
        touches = deal_store.touches_for(conn, deal_id)
        from salesflow.app.playbook import checklist, done_keys

        unmet = [f"{u.criterion} — {u.fix}" for u in unmet_for_move(deal, pipeline, target, touches, done_keys(conn, deal))]
        actions = checklist(conn, deal, pipeline)
    return Explanation(
        deal_id=deal.id,
        title=_("#{id} {title} ({stage}, grade {grade}, owner {value})").format(
            id=deal.id, title=deal.title if not deal.customer or deal.customer in deal.title else f"{deal.customer} — {deal.title}",
            stage=pipeline.stage(deal.stage).word, grade=f.grade, value=deal.owner or _("unassigned")),
        deadlines=Report(_("Deadlines"), [Column("rule", words=labels.RULES), Column("deadline", "datetime"), Column("status")],
                         deadline_rows, empty=_("no deadlines: the deal is closed")),
        urgency=Report(_("Urgency"), [Column("term", words=labels.TERMS), Column("factor", "number"), Column("weight", "number"),
                                   Column("score", "score"), Column("detail")], term_rows),
        probability=(_("stage probability: p = {probability:.1%} for {key} — (w + 5·prior) ÷ (n + 5) with n = {closed_reached} deals closed in the last 365 days that reached it, w = {won_reached} won, prior = {prior:.0%} (salesflow forecast --stages); urgency uses the prior").format(probability=learned.probability, key=stage.word, closed_reached=learned.closed_reached, won_reached=learned.won_reached, prior=stage.prior)
                     if learned else _("stage probability: {prior:.0%} ({key})").format(prior=stage.prior, key=stage.key)),
        next_stage=next_stage,
        unmet=unmet,
        checklist=actions,
    )


# ---------------------------------------------------------------------------------------------
# silent


def silent_report(conn: sqlite3.Connection, now: datetime, days: int) -> Report:
    if not 1 <= days <= 36500:
        raise BadInput(_("--days {days} must be from 1 to 36500").format(days=days), hint=_("e.g. --days 30"))
    cutoff = now - timedelta(days=days)
    rows = []
    found = (store.silent_from_facts if derived.current(conn, iso(now)) else store.silent_customers)(conn, iso(cutoff), iso(now))
    for r in found:
        since = datetime.fromisoformat(max(filter(None, (r["last_touch"], r["last_move"]))))
        rows.append({
            "customer": r["name"], "grade": r["grade"], "owner": r["owner"],
            "last_touch": datetime.fromisoformat(r["last_touch"]) if r["last_touch"] else None,
            "days_silent": (now.date() - since.date()).days, "open_deals": r["open_deals"],
            "last_outcome": r["last_outcome"],
        })
    rows.sort(key=lambda x: (x["owner"] is not None, x["owner"] or "", x["grade"], -x["days_silent"], x["customer"]))
    return Report(
        title=_("Silent customers — no activity in {days} days").format(days=days),
        columns=[Column("customer"), Column("grade"), Column("owner", "owner"), Column("last_touch", "datetime"),
                 Column("days_silent", "int"), Column("open_deals", "int"), Column("last_outcome", words=labels.TOUCH_KINDS)],
        rows=rows,
        footer=[_("customers with an open deal, or a deal lost on or before {cutoff:%Y-%m-%d}, and no touch, move, win or loss on any of their deals since then · by owner (unassigned first), A before B before C, then longest silent").format(cutoff=cutoff)],
        empty=_("no customer has been silent for {days} days").format(days=days),
        group_by="owner",
    )
