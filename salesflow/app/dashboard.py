"""`dashboard`: the few numbers a sales meeting watches, each against its threshold.

Indicators (csv/json rows `indicator, scope, value, threshold, status`; status green, red, or info for a
number without a threshold, n/a when there is nothing to measure):
- `open:STAGE` — open deals in each open stage (info);
- `conversion:STAGE` — of the deals created in the last 365 days that reached the stage, the share that
  reached the next one (the funnel's next_rate): green at or above `dashboard.conversion` (0.30);
- `days_in_stage:STAGE` — the funnel's average days in the stage for the same deals: green at or below
  `dashboard.days_in_stage` (7) — for every open stage but the first;
- `forecast_gap` — this month's (won + weighted − target) ÷ target: green within ±`dashboard.forecast_gap`
  (0.15); n/a without a target;
- `overdue_share` — open deals with an overdue follow-up ÷ open deals: green at or below
  `dashboard.overdue_share` (0.05);
- `new_leads`, `valid_leads`, `lead_to_opportunity`, `avg_cycle_days`, `won_amount` — this week's five
  numbers of the weekly report (info).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from salesflow.domain.dates import iso
from salesflow.domain.errors import NotFound, UsageProblem
from salesflow.i18n import N_, _
from salesflow.output.report import Column, Report
from salesflow.store.pipelines import get_meta

WINDOW_DAYS = 365
THRESHOLDS = {  # setting -> (default, largest allowed)
    "dashboard.conversion": (0.30, 1.0),
    "dashboard.forecast_gap": (0.15, 10.0),
    "dashboard.days_in_stage": (7.0, 3650.0),
    "dashboard.overdue_share": (0.05, 1.0),
}
SCOPE = {"all": N_("everyone")}
STATUS = {"green": N_("green"), "red": N_("red"), "info": N_("info"), "n/a": N_("n/a")}
NAMES = {
    "open": N_("open deals in {stage}"),
    "conversion": N_("{stage} → next stage"),
    "days_in_stage": N_("average days in {stage}"),
    "forecast_gap": N_("forecast gap this month"),
    "overdue_share": N_("open deals overdue for follow-up"),
    "new_leads": N_("new leads this week"),
    "valid_leads": N_("valid leads this week"),
    "lead_to_opportunity": N_("lead → opportunity this week"),
    "avg_cycle_days": N_("average cycle of deals won this week (days)"),
    "won_amount": N_("won amount this week"),
}
COLUMNS = [
    Column("indicator", in_table=False), Column("name", label=N_("Indicator"), in_machine=False, priority=0),
    Column("scope", priority=6, words=SCOPE), Column("value", "number", in_table=False),
    Column("shown", label=N_("Value"), in_machine=False, priority=0),
    Column("threshold", "number", in_table=False), Column("limit", label=N_("Threshold"), in_machine=False, priority=2),
    Column("status", "health", words=STATUS, priority=0),
]


def threshold(conn: sqlite3.Connection, key: str) -> float:
    value = get_meta(conn, key)
    return float(value) if value is not None else THRESHOLDS[key][0]


def scope_owners(conn: sqlite3.Connection, rep: str | None, team: str | None) -> tuple[str, list[str] | None]:
    """The scope's name and its owners (None: every deal, unassigned included)."""
    from salesflow.store.due import team_handles

    if rep and team:
        raise UsageProblem(_("give --rep or --team, not both"))
    if rep:
        from salesflow.app.views import rep_handle

        handle = rep_handle(conn, rep)
        return handle, [handle]
    if team:
        members = team_handles(conn, team)
        if not members:  # as `due --team` says it
            raise NotFound(_("no reps in team {team!r}").format(team=team), hint=_("list teams with: salesflow rep list"))
        return team, members
    return "all", None


def indicators(conn: sqlite3.Connection, now: datetime, rep: str | None = None, team: str | None = None) -> Report:
    from salesflow.app.analytics import FunnelQuery, funnel_report
    from salesflow.app.forecast import ForecastQuery, forecast_report
    from salesflow.app.setup import default_pipeline
    from salesflow.store.pipelines import load_pipeline

    scope, owners = scope_owners(conn, rep, team)
    by = "rep" if rep else "team" if team else None
    pipeline = load_pipeline(conn, default_pipeline(conn))
    rows: list[dict] = []

    def add(indicator: str, value, limit: float | None, status: str, stage: str | None = None, shown: str | None = None,
            rule: str = "", percent: bool = False) -> None:
        kind = indicator.split(":")[0]
        rows.append({"indicator": indicator, "name": _(NAMES[kind]).format(stage=stage or ""), "scope": scope,
                     "value": value, "threshold": limit, "status": status,
                     "shown": shown if shown is not None else ("—" if value is None else f"{value:g}"),
                     "limit": "" if limit is None else f"{rule} {limit * 100:g}%" if percent else f"{rule} {limit:g}"})

    since = (now - timedelta(days=WINDOW_DAYS)).date().isoformat()
    funnel = [r for r in funnel_report(conn, FunnelQuery(by=by, since=since, pipeline=pipeline.key), now).rows
              if by is None or r.get(by) == scope]
    stages = {r["stage"]: r for r in funnel}
    conversion = threshold(conn, "dashboard.conversion")
    days_limit = threshold(conn, "dashboard.days_in_stage")
    from collections import Counter

    from salesflow.store.deals import board_rows

    open_now = Counter(r["stage"] for r in board_rows(conn, pipeline.key, owners))  # every open deal, any age
    for s in pipeline.open_stages:
        add(f"open:{s.key}", open_now[s.key], None, "info", s.word)
    # each value is compared as shown (rounded), so a row never reads "7.0 ≤ 7 red"
    for s in pipeline.open_stages:
        rate = stages.get(s.key, {}).get("next_rate")
        rate = None if rate is None else round(rate, 4)
        add(f"conversion:{s.key}", rate, conversion,
            "n/a" if rate is None else "green" if rate >= conversion else "red", s.word,
            shown="—" if rate is None else f"{rate:.1%}", rule="≥", percent=True)
    for s in pipeline.open_stages[1:]:
        days = stages.get(s.key, {}).get("avg_days")
        days = None if days is None else round(days, 1)
        add(f"days_in_stage:{s.key}", days, days_limit,
            "n/a" if days is None else "green" if days <= days_limit else "red", s.word,
            shown="—" if days is None else f"{days:.1f}", rule="≤")

    month = f"{now.year:04d}-{now.month:02d}"
    gap_limit = threshold(conn, "dashboard.forecast_gap")
    weighted = sum(r["weighted"] for r in forecast_report(conn, now, ForecastQuery(by=by)).rows
                   if r["month"] == month and (by is None or r.get(by) == scope))
    target, won = month_target_and_won(conn, now, owners)
    if target:
        gap = round((won + weighted - target) / target, 4)
        add("forecast_gap", gap, gap_limit, "green" if abs(gap) <= gap_limit else "red",
            shown=f"{gap:+.1%}", rule="±", percent=True)
    else:
        add("forecast_gap", None, gap_limit, "n/a", shown=_("no target for {month}").format(month=month), rule="±",
            percent=True)

    share_limit = threshold(conn, "dashboard.overdue_share")
    overdue, open_deals = overdue_counts(conn, now, owners)
    share = round(overdue / open_deals, 4) if open_deals else None
    add("overdue_share", share, share_limit,
        "n/a" if share is None else "green" if share <= share_limit else "red",
        shown="—" if share is None else f"{share:.1%} ({overdue}/{open_deals})", rule="≤", percent=True)

    week = this_week(conn, now, owners)
    for metric in ("new_leads", "valid_leads", "lead_to_opportunity", "avg_cycle_days", "won_amount"):
        value = getattr(week, metric)
        if metric == "won_amount":
            from salesflow.domain.money import format_amount

            add(metric, value / 100, None, "info", shown=format_amount(value))
        elif metric == "lead_to_opportunity":
            add(metric, None if value is None else round(value, 4), None, "info", shown="—" if value is None else f"{value:.1%}")
        elif metric == "avg_cycle_days":
            add(metric, None if value is None else round(value, 1), None, "info", shown="—" if value is None else f"{value:.1f}")
        else:
            add(metric, value, None, "info")
    red = sum(1 for r in rows if r["status"] == "red")
    return Report(
        title=_("Dashboard — {scope}, {now:%Y-%m-%d %H:%M}").format(scope=scope if scope != "all" else _("everyone"), now=now),
        columns=COLUMNS, rows=rows, stage_labels={},
        footer=[_("{red} red of {n} indicators with a threshold · conversion and days in stage: deals created since {since} (salesflow funnel --since {since}) · thresholds: salesflow config set dashboard.…").format(
            red=red, n=sum(1 for r in rows if r["threshold"] is not None), since=since)])


def month_target_and_won(conn: sqlite3.Connection, now: datetime, owners: list[str] | None) -> tuple[int, int]:
    """This month's target of the scope (the team's target; a rep's; a team's reps' added up) and what the
    scope has won in the month so far."""
    from salesflow.domain.periods import parse_period
    from salesflow.store import forecast as store

    month = f"{now.year:04d}-{now.month:02d}"
    rows = [t for t in store.targets(conn) if t["month"] == month]
    target = (sum(t["amount"] for t in rows if not t["rep"]) if owners is None
              else sum(t["amount"] for t in rows if t["rep"] in owners))
    start, end = parse_period(month, now)
    won = store.won_between(conn, iso(start), iso(end), None)
    return target, sum(amount for owner, amount in won.items() if owners is None or owner in owners)


def overdue_counts(conn: sqlite3.Connection, now: datetime, owners: list[str] | None) -> tuple[int, int]:
    """(open deals with an overdue follow-up deadline, open deals) of the owners (None: all, unassigned too)."""
    from salesflow.app.due import evaluate_rows
    from salesflow.store import due as due_store

    scope = due_store.DueScope(owners=tuple(owners) if owners is not None else None, unassigned=owners is None)
    overdue = {i.row["deal_id"] for i in evaluate_rows(conn, scope, now, 0) if i.overdue}
    return len(overdue), due_store.count_open(conn, owners, iso(now))


def this_week(conn: sqlite3.Connection, now: datetime, owners: list[str] | None):
    from salesflow.domain import weekly as rules
    from salesflow.store.analytics import weekly_facts

    start = datetime.combine(rules.week_start(now.date()), datetime.min.time())
    facts = weekly_facts(conn, iso(start), owners)
    parse = datetime.fromisoformat
    return rules.weeks(now.date(), 1, [parse(r[0]) for r in facts["created"] if parse(r[0]) <= now],
                       [parse(r[0]) for r in facts["valid"] if parse(r[0]) <= now],
                       [(parse(c), parse(o), a) for c, o, a in facts["won"] if parse(c) <= now])[-1]


def has_red(report: Report) -> bool:
    return any(r["status"] == "red" for r in report.rows)


