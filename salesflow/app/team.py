"""Where the team is stuck: `stuck` deals and rep `health`."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta

from salesflow.app.due import Pipelines, facts
from salesflow.app.groups import check_people, grouper
from salesflow.domain import deadlines as rules
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.domain.health import STUCK_DAYS, from_counts
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store import analytics as store, facts as derived
from salesflow.store.pipelines import stage_labels
from salesflow.i18n import _

STUCK_COLUMNS = [
    Column("deal_id", "id"), Column("customer", priority=1), Column("owner", "owner", priority=3),
    Column("stage", "stage", priority=2), Column("days_in_stage", "int", priority=0), Column("idle_days", "int", priority=5),
    Column("idle_limit", "int", priority=6), Column("last_touch", "datetime", priority=7), Column("last_note", priority=4),
]


def stuck_rows(conn: sqlite3.Connection, now: datetime, over: int | None) -> list[dict]:
    pipelines = Pipelines(conn)
    rows = []
    fast = derived.current(conn, iso(now))  # then only the deals the stored deadlines point at are read
    where = None if not fast else store.STUCK_IDLE if over is None else store.STUCK_OVER
    cut = iso(now - timedelta(days=over)) if over is not None else None
    for r in store.open_deals(conn, iso(now), where=where, cut=cut):
        f = facts(r)
        stage = pipelines[f.pipeline].stage(f.stage)
        days_in_stage = (now - f.stage_entered_at).days
        if over is not None:
            if now - f.stage_entered_at <= timedelta(days=over):
                continue
        else:
            idle = next((d for d in rules.deadlines(f, pipelines[f.pipeline], now) if d.rule == "stage-idle"), None)
            if idle is None or idle.suppressed or idle.at >= now:
                continue
        rows.append({
            "deal_id": f.deal_id, "customer": r["customer"], "owner": f.owner, "stage": f.stage,
            "days_in_stage": days_in_stage, "idle_days": (now - rules.idle_since(f)).days, "idle_limit": stage.idle_days,
            "last_touch": f.last_touch, "last_note": (r["last_note"] or "").replace("\n", " ")[:80] or None,
        })
    rows.sort(key=lambda x: (-x["days_in_stage"] if over is not None else -x["idle_days"], -x["days_in_stage"], x["deal_id"]))
    return rows


def stuck_report(conn: sqlite3.Connection, now: datetime, over: int | None, by: str | None) -> Report:
    if over is not None and not 0 <= over <= 36500:
        raise BadInput(_("--over {over} is ").format(over=over) + ("negative" if over < 0 else _("out of range")),
                       hint=_("--over DAYS: deals in their stage longer than DAYS (at most 36500)"))
    if by not in (None, "rep", "stage"):
        raise UsageProblem(_("--by {by!r} is not a grouping for stuck").format(by=by), hint=_("use --by rep or --by stage"))
    rows = stuck_rows(conn, now, over)
    meaning = (_("open deals in their stage more than {over} days").format(over=over) if over is not None else
               _("open deals past their stage's idle limit with no follow-up planned (the stage-idle rule)"))
    if by is None:
        return Report(title=_("Stuck deals"), columns=STUCK_COLUMNS, rows=rows, stage_labels=stage_labels(conn),
                      footer=[_("{n} {meaning} · now {now:%Y-%m-%d %H:%M}").format(n=len(rows), meaning=meaning, now=now)], empty=_("nothing is stuck"))
    groups: dict[str | None, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["owner" if by == "rep" else "stage"], []).append(row)
    summary = []
    for key, members in groups.items():
        worst = max(members, key=lambda x: (x["days_in_stage"], -x["deal_id"]))
        summary.append({by: key, "stuck": len(members), "longest_days": worst["days_in_stage"],
                        "longest_deal": worst["deal_id"], "longest_owner": worst["owner"], "longest_stage": worst["stage"]})
    summary.sort(key=lambda x: (-x["longest_days"], -x["stuck"], str(x[by])))
    columns = [Column(by, "owner" if by == "rep" else "stage"), Column("stuck", "int"), Column("longest_days", "int"),
               Column("longest_deal", "id")]
    columns.append(Column("longest_owner", "owner") if by == "stage" else Column("longest_stage", "stage"))
    footer = [f"{len(rows)} {meaning}"]
    if summary:
        top = max(rows, key=lambda x: (x["days_in_stage"], -x["deal_id"]))
        footer.append(_("stuck longest: {value} — #{deal_id} {customer}, {days_in_stage} days in {stage}").format(value=top['owner'] or 'unassigned', deal_id=top['deal_id'], customer=top['customer'], days_in_stage=top['days_in_stage'], stage=top['stage']))
    return Report(title=_("Stuck deals by {by}").format(by=labels.word(labels.GROUPS, by)), columns=columns, rows=summary, stage_labels=stage_labels(conn),
                  footer=footer, empty=_("nothing is stuck"))


# On a narrow terminal the rep, the colour and why stay (the reasons cut with …); the counts go first.
HEALTH_COLUMNS = [
    Column("rep", "owner"), Column("status", "health", priority=0), Column("open_deals", "int", priority=3),
    Column("overdue", "int", priority=6), Column("overdue_pct", "rate", priority=4), Column("stuck_15d", "int", priority=5),
    Column("days_since_progress", "int", priority=7), Column("reasons", "tags", priority=1),
]
_ORDER = {"red": 0, "yellow": 1, "green": 2}


def health_rows(conn: sqlite3.Connection, now: datetime, by: str | None = None) -> list[dict]:
    counts = _health_counts(conn, now)
    progress = {k: datetime.fromisoformat(v) for k, v in store.last_progress(conn, iso(now)).items()}
    rows = []
    group = grouper(conn, by if by != "rep" else None)
    from salesflow.i18n import current

    names = {k: zh for k, (_en, zh) in stage_labels(conn).items()} if current() == "zh" else {}
    for rep in store.selling_reps(conn):
        n, overdue, stuck = counts.get(rep, (0, 0, Counter()))
        h = from_counts(rep, n, overdue, stuck, progress.get(rep), now, names)
        rows.append(({by: group(rep)} if by in ("team", "manager") else {}) | h._asdict() | {"reasons": ";".join(h.reasons)})
    if by in ("team", "manager"):  # each group together, its reds first
        rows.sort(key=lambda x: (x[by] is None, x[by] or "", _ORDER[x["status"]], x["rep"]))
    else:
        rows.sort(key=lambda x: (_ORDER[x["status"]], x["rep"]))
    return rows


def _health_counts(conn: sqlite3.Connection, now: datetime) -> dict[str | None, tuple[int, int, Counter]]:
    """Per owner: open deals, how many overdue, and per stage how many sit there over STUCK_DAYS — by one
    GROUP BY on the stored derived facts when they are current, else every open deal through the rules."""
    cut = now - timedelta(days=STUCK_DAYS)
    counts: dict[str | None, tuple[int, int, Counter]] = {}
    if derived.current(conn, iso(now)):
        for r in store.health_counts(conn, iso(now), now.date().isoformat(), iso(cut)):
            n, overdue, stuck = counts.get(r["owner"], (0, 0, Counter()))
            stuck[r["stage"]] += r["stuck"]
            counts[r["owner"]] = (n + r["deals"], overdue + r["overdue"], stuck)
        return counts
    pipelines = Pipelines(conn)
    for r in store.open_deals(conn, iso(now), with_notes=False):
        f = facts(r)
        due = rules.evaluate(f, pipelines[f.pipeline], now)
        n, overdue, stuck = counts.get(f.owner, (0, 0, Counter()))
        stuck[f.stage] += now - f.stage_entered_at > timedelta(days=STUCK_DAYS)
        counts[f.owner] = (n + 1, overdue + ((rules.days_overdue(due, now) or 0) > 0), stuck)
    return counts


def health_report(conn: sqlite3.Connection, now: datetime, by: str | None = None) -> Report:
    """`by` team or manager: the same rows, with the rep's group first and each group together."""
    by = check_people(by, "health")
    rows = health_rows(conn, now, by)
    counts = {c: sum(1 for r in rows if r["status"] == c) for c in ("red", "yellow", "green")}
    grouped = by in ("team", "manager")
    return Report(
        title=_("Rep health by {by}").format(by=labels.word(labels.GROUPS, by)) if grouped else _("Rep health"), rows=rows, empty=_("no reps with role rep yet"),
        columns=([Column(by, "owner" if by == "manager" else "text")] if grouped else []) + HEALTH_COLUMNS,
        group_by=by if grouped else None,
        footer=[_("{red} red, {yellow} yellow, {green} green · now {now:%Y-%m-%d %H:%M} · red: open deals and no forward move or win in 14 days, or 2+ deals over 15 days in one stage; yellow: overdue > 5% of open deals, a deal over 15 days in its stage, or no forward move in 7 days").format(red=counts['red'], yellow=counts['yellow'], green=counts['green'], now=now)],
    )
