"""Win/loss review (复盘) of the deals closed in a period."""

from __future__ import annotations

import sqlite3
import statistics
from datetime import datetime

from salesflow.app.groups import check_people, grouper
from salesflow.domain.dates import iso
from salesflow.domain.periods import parse_period
from salesflow.domain.vocabulary import UNKNOWN_REASON
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store.analytics import closed_deals
from salesflow.i18n import _

SECTIONS = ("lost-reasons", "reps", "sources", "touches", "cycle", "activity")
BUCKETS = ((0, 0, "0"), (1, 2, "1-2"), (3, 5, "3-5"), (6, 10, "6-10"), (11, None, "11+"))


def _rate(won: int, lost: int) -> float | None:
    return None if won + lost == 0 else won / (won + lost)


def _days(row) -> float:
    return (datetime.fromisoformat(row["closed_at"]) - datetime.fromisoformat(row["created_at"])).total_seconds() / 86400


def review(conn: sqlite3.Connection, period: str, now: datetime, by: str | None = None) -> dict[str, Report]:
    """`by` team or manager: the reps section per group of reps (app.groups) instead of per rep."""
    by = check_people(by, "review") or "rep"
    group = grouper(conn, by)
    start, end = parse_period(period, now)
    rows = closed_deals(conn, iso(start), iso(end))
    won = [r for r in rows if r["status"] == "won"]
    lost = [r for r in rows if r["status"] == "lost"]
    scope = _("deals closed {start:%Y-%m-%d} ≤ closed < {end:%Y-%m-%d} ({period}): {n} won, {n2} lost").format(start=start, end=end, period=period, n=len(won), n2=len(lost))
    reports: dict[str, Report] = {}

    reasons: dict[str, list] = {}
    for r in lost:
        reasons.setdefault(r["lost_reason"] or UNKNOWN_REASON, []).append(r)
    reports["lost-reasons"] = Report(
        title=_("Lost reasons"), rows=[
            {"lost_reason": key, "deals": len(items), "amount": sum(i["amount"] for i in items),
             "share": len(items) / len(lost)}
            for key, items in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
        columns=[Column("lost_reason", words=labels.LOST_REASONS), Column("deals", "int"), Column("amount", "money"), Column("share", "rate")],
        footer=[scope, _("share = of the lost deals")], empty=_("no deal was lost in the period"))

    per: dict[str | None, tuple[list, list]] = {}  # one pass: each owner's (won, lost)
    for r in rows:
        per.setdefault(group(r["owner"]), ([], []))[r["status"] == "lost"].append(r)
    rep_rows = []
    for owner in sorted(per, key=lambda o: (o is not None, o or "")):
        mine_won, mine_lost = per[owner]
        top_won = max(mine_won, key=lambda r: (r["amount"], -r["id"]), default=None)
        top_lost = max(mine_lost, key=lambda r: (r["amount"], -r["id"]), default=None)
        rep_rows.append({
            by: owner, "won": len(mine_won), "lost": len(mine_lost), "win_rate": _rate(len(mine_won), len(mine_lost)),
            "largest_won": top_won["id"] if top_won else None,
            "largest_won_customer": top_won["customer"] if top_won else None,
            "largest_won_amount": top_won["amount"] if top_won else None,
            "largest_lost": top_lost["id"] if top_lost else None,
            "largest_lost_customer": top_lost["customer"] if top_lost else None,
            "largest_lost_amount": top_lost["amount"] if top_lost else None,
            "largest_lost_reason": top_lost["lost_reason"] if top_lost else None,
        })
    reports["reps"] = Report(
        title=_("Per {by}: the largest won and the largest lost deal").format(by=labels.word(labels.GROUPS, by)), rows=rep_rows,
        columns=[Column(by, "text" if by == "team" else "owner"), Column("won", "int"), Column("lost", "int"), Column("win_rate", "rate"),
                 Column("largest_won", "id"), Column("largest_won_customer"), Column("largest_won_amount", "money"),
                 Column("largest_lost", "id"), Column("largest_lost_customer"), Column("largest_lost_amount", "money"),
                 Column("largest_lost_reason", words=labels.LOST_REASONS)],
        footer=[scope], empty=_("no deal closed in the period"))

    sources: dict[str | None, list[int]] = {}
    for r in rows:
        sources.setdefault(r["source"], [0, 0])[r["status"] == "lost"] += 1
    reports["sources"] = Report(
        title=_("Win rate by source"), rows=[
            {"source": key, "won": w, "lost": l_, "win_rate": _rate(w, l_)}
            for key, (w, l_) in sorted(sources.items(), key=lambda kv: (-sum(kv[1]), str(kv[0])))],
        columns=[Column("source"), Column("won", "int"), Column("lost", "int"), Column("win_rate", "rate")],
        footer=[scope, _("win rate = won ÷ (won + lost)")], empty=_("no deal closed in the period"))

    touch_rows = []
    slices: list[tuple[str, str | None, list]] = [("all", None, rows)]
    for dimension, key in (("grade", "grade"), ("source", "source")):
        values = sorted({r[key] for r in rows}, key=lambda v: (v is None, str(v)))
        slices += [(dimension, value, [r for r in rows if r[key] == value]) for value in values]
    for dimension, value, members in slices:
        for low, high, label in BUCKETS:
            inside = [r for r in members if r["touches"] >= low and (high is None or r["touches"] <= high)]
            w = sum(1 for r in inside if r["status"] == "won")
            if dimension != "all" and not inside:
                continue
            touch_rows.append({"slice": _slice(dimension, value), "dimension": dimension, "group": value,
                               "touches": label, "won": w, "lost": len(inside) - w, "win_rate": _rate(w, len(inside) - w)})
    reports["touches"] = Report(
        title=_("Win rate by touches before close"), rows=touch_rows, group_by="slice",
        columns=[Column("slice", in_table=False, in_machine=False), Column("dimension", in_table=False),
                 Column("group", in_table=False), Column("touches"), Column("won", "int"), Column("lost", "int"),
                 Column("win_rate", "rate")],
        footer=[scope, _("touches logged on the deal up to its close; by all deals, then by grade and by source")])

    cycle_rows = []
    for outcome, items in (("won", won), ("lost", lost)):
        days = [_days(r) for r in items]
        cycle_rows.append({"outcome": outcome, "deals": len(items),
                           "avg_cycle_days": statistics.fmean(days) if days else None,
                           "median_cycle_days": statistics.median(days) if days else None})
    reports["cycle"] = Report(
        title=_("Cycle: won vs lost"), rows=cycle_rows,
        columns=[Column("outcome", "status"), Column("deals", "int"), Column("avg_cycle_days", "days"),
                 Column("median_cycle_days", "days")],
        footer=[scope, _("cycle = created → closed")])

    from salesflow.app.activity import activity_columns, activity_footer, activity_rows

    reports["activity"] = Report(
        title=_("Activity: is the process worked?"), rows=activity_rows(conn, start, end, now, by),
        columns=activity_columns(by),
        footer=[_("{start:%Y-%m-%d} ≤ time < {end:%Y-%m-%d} ({period})").format(start=start, end=end, period=period),
                *activity_footer()])
    return reports


def _slice(dimension: str, value: str | None) -> str:
    if dimension == "all":
        return _("all deals")
    shown = value if value not in (None, "") else _("none")
    return _("grade {value}").format(value=shown) if dimension == "grade" else _("source {value}").format(value=shown)
