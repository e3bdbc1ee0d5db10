"""Manager reports: the cohort funnel and its summary."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import NamedTuple

from salesflow.app.setup import default_pipeline
from salesflow.domain import funnel as rules
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput
from salesflow.domain.periods import describe, parse_period
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store.analytics import cohort_days, cohort_outcomes, cohort_reach, cohort_unknown_history, undated
from salesflow.store.pipelines import load_pipeline, pipeline_keys, stage_labels
from salesflow.i18n import N_, _

BY = ("rep", "team", "manager", "source", "grade", "pipeline", "month")
SEMANTICS = N_("reached = the furthest stage a deal ever entered (won: every stage; lost: up to the stage "
             "lost from); next = reached(next) ÷ reached; days in stage from the deals that left it")


class Window(NamedTuple):
    since: datetime | None
    until: datetime | None

    def describe(self) -> str:
        return describe(self.since, self.until)


def window(since: str | None, until: str | None, now: datetime) -> Window:
    start = parse_period(since, now)[0] if since else None
    end = parse_period(until, now)[0] if until else None
    if start and end and end <= start:
        raise BadInput(_("--until {until} is not after --since {since}").format(until=until, since=since), hint=_("the window is half-open: since ≤ created < until"))
    return Window(start, end)


def _group(row: sqlite3.Row, by: str | None) -> str | None:
    if by is None:
        return ""
    value = {"rep": row["owner"], "source": row["source"], "grade": row["grade"], "pipeline": row["pipeline"],
             "month": None if "created" in (row["guessed"] or "") else row["created_at"][:7],
             "team": row["team"], "manager": row["manager"]}[by]
    return value or None  # no owner / no source: shown as (unassigned) / empty


class FunnelQuery(NamedTuple):
    by: str | None = None
    since: str | None = None
    until: str | None = None
    pipeline: str | None = None
    summary: bool = False


def _check(conn: sqlite3.Connection, q: FunnelQuery) -> list[str]:
    if q.by is not None and q.by not in BY:
        raise BadInput(_("--by {by!r} is not a grouping").format(by=q.by), hint="use --by " + ", --by ".join(BY))
    if q.by == "pipeline":
        return pipeline_keys(conn) if q.pipeline is None else [load_pipeline(conn, q.pipeline).key]
    return [load_pipeline(conn, q.pipeline or default_pipeline(conn)).key]


def _ordered(groups: dict) -> list:
    """Group names: the missing one (no owner, no source) first, then by name."""
    return sorted(groups, key=lambda g: (g is not None, g or ""))


def funnel_report(conn: sqlite3.Connection, q: FunnelQuery, now: datetime) -> Report:
    keys = _check(conn, q)
    win = window(q.since, q.until, now)
    if q.summary:
        return _summary_report(conn, keys, win, q)
    rows = []
    for key in keys:
        pipeline = load_pipeline(conn, key)
        team, groups = _tallies(conn, pipeline, win, q.by)
        team_rows = team.rows()
        tallies = [("", team)] if q.by is None else [(name, groups[name]) for name in _ordered(groups)]
        for name, tally in tallies:
            stage_rows = team_rows if q.by is None else tally.rows(name)
            hollow = rules.hollow(stage_rows, team_rows) if q.by else set()
            first = stage_rows[0].reached or 1
            for r in stage_rows:
                rows.append({
                    q.by or "_": r.group, "stage": r.stage, "reached": r.reached, "next_rate": r.next_rate,
                    "cumulative_rate": r.cumulative_rate, "open_now": r.open_now, "open_amount": r.open_amount,
                    "avg_days": r.avg_days, "median_days": r.median_days,
                    "bar": "█" * round(20 * r.reached / first) if r.reached else "",
                    "flag": "hollow" if r.stage in hollow else "",
                })
    columns = ([Column(q.by, "owner" if q.by in ("rep", "manager") else "text")] if q.by else []) + [
        Column("stage", "stage"), Column("bar", "bar", in_machine=False, priority=5), Column("reached", "int", priority=0),
        Column("next_rate", "rate", priority=1), Column("cumulative_rate", "rate", priority=3),
        Column("open_now", "int", priority=2), Column("open_amount", "money", priority=0),
        Column("avg_days", "days", priority=6), Column("median_days", "days", priority=7),
        Column("flag", in_machine=False, priority=1, words=labels.VALUES),
    ]
    unknown = sum(cohort_unknown_history(conn, key, iso(win.since), iso(win.until)) for key in keys)
    return Report(
        title=(_("Funnel by {by}").format(by=labels.word(labels.GROUPS, q.by)) if q.by else _("Funnel")) + f" — {', '.join(keys)}",
        columns=columns, rows=rows, stage_labels=stage_labels(conn), group_by=q.by,
        left_out=([_("{unknown:,} closed deal(s) of the cohort whose stage history is unknown (imported without it) are not in the stage counts").format(unknown=unknown)] if unknown else []) + _undated(conn, keys, win, q),
        footer=[_("cohort: deals created {describe} · {semantics}").format(describe=win.describe(), semantics=_(SEMANTICS)) +
                (_(" · hollow: next rate below half the team's") if q.by else "")],
        empty=_("no deals were created in that window"),
    )


def _tallies(conn: sqlite3.Connection, pipeline, win: Window, by: str | None) -> tuple[rules.Tally, dict]:
    """The team's tally and each group's, from the stored derived facts: one GROUP BY over the cohort's
    deals for the reach and open counts, one over their stage days for the means and medians."""
    team = rules.Tally(pipeline)
    groups: dict[str | None, rules.Tally] = {}
    since, until = iso(win.since), iso(win.until)
    for r in cohort_reach(conn, pipeline.key, since, until, by):
        team.add_counts(r["reached"], r["deals"], r["open_stage"], r["amount"])
        if by is not None:
            groups.setdefault(r["grp"] or None, rules.Tally(pipeline)).add_counts(
                r["reached"], r["deals"], r["open_stage"], r["amount"])
    for r in cohort_days(conn, pipeline.key, since, until, by):
        tally = team if by is None else groups.get(r["grp"] or None)
        if tally is not None:
            tally.set_days(r["stage"], r["mean"] / 86400, r["median"] / 86400)
    return team, groups


def _undated(conn: sqlite3.Connection, keys: list[str], win: Window, q: FunnelQuery) -> list[str]:
    """Deals imported without a created date are in no dated period: a window or --by month says so."""
    if win.since is None and win.until is None and q.by != "month":
        return []
    n = sum(undated(conn, key) for key in keys)
    return [_("{n:,} deal(s) without a created date (imported without one) are not in any period").format(n=n)] if n else []


def _summary_report(conn: sqlite3.Connection, keys: list[str], win: Window, q: FunnelQuery) -> Report:
    rows = []
    groups: dict[str | None, rules.SummaryTally] = {}
    for key in keys:  # SQL counts; only the won deals' cycle days come to Python, for exact medians
        counts, cycles = cohort_outcomes(conn, key, iso(win.since), iso(win.until), q.by)
        for r in counts:
            tally = groups.setdefault(r["grp"] or None if q.by else "", rules.SummaryTally())
            tally.deals += r["deals"]
            tally.won += r["won"]
            tally.lost += r["lost"]
            tally.won_amount += r["won_amount"]
        for r in cycles:
            groups[r["grp"] or None if q.by else ""].cycles.append(r["days"])
    if not groups and q.by is None:
        groups[""] = rules.SummaryTally()
    for name in _ordered(groups):
        s = groups[name].row(name)
        rows.append({q.by or "_": s.group, "deals": s.deals, "won": s.won, "lost": s.lost, "win_rate": s.win_rate,
                     "won_amount": s.won_amount, "avg_cycle_days": s.avg_cycle_days,
                     "median_cycle_days": s.median_cycle_days})
    columns = ([Column(q.by, "owner" if q.by in ("rep", "manager") else "text")] if q.by else []) + [
        Column("deals", "int"), Column("won", "int"), Column("lost", "int"), Column("win_rate", "rate"),
        Column("won_amount", "money"), Column("avg_cycle_days", "days"), Column("median_cycle_days", "days")]
    return Report(
        title=(_("Funnel summary by {by}").format(by=labels.word(labels.GROUPS, q.by)) if q.by else _("Funnel summary"))
        + f" — {', '.join(keys)}",
        columns=columns, rows=rows,
        footer=[_("cohort: deals created {describe} · win rate = won ÷ (won + lost) · cycle = created → won").format(describe=win.describe())],
        empty=_("no deals were created in that window"), left_out=_undated(conn, keys, win, q),
    )
