"""Where the team is stuck: `stuck` deals and rep `health` (§7)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from salesflow.app.due import Pipelines, facts
from salesflow.app.groups import check_people, grouper
from salesflow.domain import deadlines as rules
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.domain.health import OpenDeal, health
from salesflow.output.report import Column, Report
from salesflow.store import analytics as store
from salesflow.store.pipelines import stage_labels

STUCK_COLUMNS = [
    Column("deal_id", "id"), Column("customer"), Column("owner", "owner"), Column("stage", "stage"),
    Column("days_in_stage", "int"), Column("idle_days", "int"), Column("idle_limit", "int"),
    Column("last_touch", "datetime"), Column("last_note"),
]


def stuck_rows(conn: sqlite3.Connection, now: datetime, over: int | None) -> list[dict]:
    pipelines = Pipelines(conn)
    rows = []
    for r in store.open_deals(conn, iso(now)):
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
        raise BadInput(f"--over {over} is " + ("negative" if over < 0 else "out of range"),
                       hint="--over DAYS: deals in their stage longer than DAYS (at most 36500)")
    if by not in (None, "rep", "stage"):
        raise UsageProblem(f"--by {by!r} is not a grouping for stuck", hint="use --by rep or --by stage")
    rows = stuck_rows(conn, now, over)
    meaning = (f"open deals in their stage more than {over} days" if over is not None else
               "open deals past their stage's idle limit with no follow-up planned (the stage-idle rule)")
    if by is None:
        return Report(title="Stuck deals", columns=STUCK_COLUMNS, rows=rows, stage_labels=stage_labels(conn),
                      footer=[f"{len(rows)} {meaning} · now {now:%Y-%m-%d %H:%M}"], empty="nothing is stuck")
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
        footer.append(f"stuck longest: {top['owner'] or 'unassigned'} — #{top['deal_id']} {top['customer']}, "
                      f"{top['days_in_stage']} days in {top['stage']}")
    return Report(title=f"Stuck deals by {by}", columns=columns, rows=summary, stage_labels=stage_labels(conn),
                  footer=footer, empty="nothing is stuck")


HEALTH_COLUMNS = [
    Column("rep", "owner"), Column("status", "health"), Column("open_deals", "int"), Column("overdue", "int"),
    Column("overdue_pct", "rate"), Column("stuck_15d", "int"), Column("days_since_progress", "int"),
    Column("reasons", "tags"),
]
_ORDER = {"red": 0, "yellow": 1, "green": 2}


def health_rows(conn: sqlite3.Connection, now: datetime, by: str | None = None) -> list[dict]:
    pipelines = Pipelines(conn)
    deals: dict[str | None, list[OpenDeal]] = {}
    for r in store.open_deals(conn, iso(now), with_notes=False):
        f = facts(r)
        due = rules.evaluate(f, pipelines[f.pipeline], now)
        overdue = (rules.days_overdue(due, now) or 0) > 0
        deals.setdefault(f.owner, []).append(OpenDeal(f.stage, f.stage_entered_at, overdue))
    progress = {k: datetime.fromisoformat(v) for k, v in store.last_progress(conn, iso(now)).items()}
    rows = []
    group = grouper(conn, by if by != "rep" else None)
    for rep in store.selling_reps(conn):
        h = health(rep, deals.get(rep, []), progress.get(rep), now)
        rows.append(({by: group(rep)} if by in ("team", "manager") else {}) | h._asdict() | {"reasons": ";".join(h.reasons)})
    if by in ("team", "manager"):  # each group together, its reds first
        rows.sort(key=lambda x: (x[by] is None, x[by] or "", _ORDER[x["status"]], x["rep"]))
    else:
        rows.sort(key=lambda x: (_ORDER[x["status"]], x["rep"]))
    return rows


def health_report(conn: sqlite3.Connection, now: datetime, by: str | None = None) -> Report:
    """`by` team or manager: the same rows, with the rep's group first and each group together."""
    by = check_people(by, "health")
    rows = health_rows(conn, now, by)
    counts = {c: sum(1 for r in rows if r["status"] == c) for c in ("red", "yellow", "green")}
    grouped = by in ("team", "manager")
    return Report(
        title="Rep health" + (f" by {by}" if grouped else ""), rows=rows, empty="no reps with role rep yet",
        columns=([Column(by, "owner" if by == "manager" else "text")] if grouped else []) + HEALTH_COLUMNS,
        group_by=by if grouped else None,
        footer=[f"{counts['red']} red, {counts['yellow']} yellow, {counts['green']} green · now {now:%Y-%m-%d %H:%M} · "
                "red: open deals and no forward move or win in 14 days, or 2+ deals over 15 days in one stage; "
                "yellow: overdue > 5% of open deals, a deal over 15 days in its stage, or no forward move in 7 days"],
    )
