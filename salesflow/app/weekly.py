"""`report weekly`: one page for the weekly meeting."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from salesflow.app.due import evaluate_rows
from salesflow.app.team import health_report, stuck_report
from salesflow.domain import weekly as rules
from salesflow.domain.dates import iso
from salesflow.domain.money import format_amount
from salesflow.output.page import Page
from salesflow.output.report import Column, Report
from salesflow.store import due as due_store
from salesflow.store.analytics import weekly_facts
from salesflow.store.pipelines import stage_labels
from salesflow.i18n import N_, _

WEEKS = 9  # this week and the 8 before it
_NAMES = {
    "new_leads": N_("New leads"),
    "valid_leads": N_("Valid leads (reached the 2nd stage)"),
    "lead_to_opportunity": N_("Lead → opportunity"),
    "avg_cycle_days": N_("Average cycle of deals won (days)"),
    "won_amount": N_("Won amount"),
}


def _show(metric: str, value) -> str:
    if value is None:
        return "—"
    if metric == "lead_to_opportunity":
        return f"{value:.0%}"
    if metric == "avg_cycle_days":
        return f"{value:.1f}"
    if metric == "won_amount":
        return format_amount(value)
    return str(value)


def weeks_table(conn: sqlite3.Connection, now: datetime) -> list:
    """This week and the 8 before it (domain.weekly.Week each), oldest first."""
    start = datetime.combine(rules.week_start(now.date()) - timedelta(weeks=WEEKS - 1), datetime.min.time())
    facts = weekly_facts(conn, iso(start))
    parse = datetime.fromisoformat
    return rules.weeks(now.date(), WEEKS, [parse(r[0]) for r in facts["created"]], [parse(r[0]) for r in facts["valid"]],
                       [(parse(c), parse(o), a) for c, o, a in facts["won"]])


def key_numbers(conn: sqlite3.Connection, now: datetime, lang: str) -> Report:
    table = weeks_table(conn, now)
    keys = [f"W{w.start.isocalendar().week:02d}" for w in table]
    rows = []
    for metric in rules.METRICS:
        values = [getattr(w, metric) for w in table]
        rows.append({"metric": _(_NAMES[metric]),
                     **{k: _show(metric, v) for k, v in zip(keys, values)}, "trend": rules.sparkline(values)})
    return Report(
        title=_("Key numbers"), rows=rows,
        columns=[Column("metric")] + [Column(k, "int") for k in keys] + [Column("trend")],
        footer=[_("weeks start on Monday; {keys} is this week to {now:%Y-%m-%d %H:%M}; valid leads = deals first reaching the second stage (or beyond) that week; lead → opportunity = valid ÷ new of the same week").format(keys=keys[-1], now=now)],
    )


def top_overdue(conn: sqlite3.Connection, now: datetime, limit: int = 10) -> Report:
    items = [i for i in evaluate_rows(conn, due_store.DueScope(owners=None, unassigned=True, escalations=True), now, 0)
             if i.overdue]
    items.sort(key=lambda i: (-i.row["urgency"], i.row["deal_id"]))
    return Report(
        title=_("Top overdue"), rows=[i.row for i in items[:limit]], stage_labels=stage_labels(conn),
        columns=[Column("deal_id", "id"), Column("customer"), Column("owner", "owner"), Column("stage", "stage"),
                 Column("days_overdue", "int"), Column("urgency", "score"), Column("next_action")],
        footer=[_("{n} overdue in all; the {limit} most urgent shown (salesflow due --all)").format(n=len(items), limit=min(limit, len(items)))],
        empty=_("nothing is overdue"))


def forecast_section(conn: sqlite3.Connection, now: datetime) -> Report:
    from salesflow.app.forecast import ForecastQuery, forecast_report

    this = f"{now.year:04d}-{now.month:02d}"
    nxt = f"{now.year + (now.month == 12):04d}-{1 if now.month == 12 else now.month + 1:02d}"
    report = forecast_report(conn, now, ForecastQuery(), include=(this, nxt))
    report.rows = [r for r in report.rows if r["month"] in (this, nxt)]
    report.title = _("Forecast against target")
    report.columns = [c for c in report.columns if c.key in ("month", "deals", "weighted", "won", "target", "gap", "flag")]
    return report


def dashboard_section(conn: sqlite3.Connection, now: datetime) -> Report:
    """The dashboard's indicators for everyone (salesflow dashboard), opening the page."""
    from salesflow.app.dashboard import indicators

    report = indicators(conn, now)
    report.title = _("Dashboard")
    return report


ACTIVITY_DAYS = 28


def activity_section(conn: sqlite3.Connection, now: datetime) -> Report:
    """The activity numbers per rep over the last four weeks, spot-check scores included."""
    from salesflow.app.activity import activity_columns, activity_footer, activity_rows

    start = now - timedelta(days=ACTIVITY_DAYS)
    return Report(
        title=_("Activity, last {days} days").format(days=ACTIVITY_DAYS), rows=activity_rows(conn, start, now, now),
        columns=[c for c in activity_columns("rep") if c.key not in ("answered",)],
        footer=[_("{start:%Y-%m-%d %H:%M} – {now:%Y-%m-%d %H:%M}").format(start=start, now=now), *activity_footer()])


def weekly_page(conn: sqlite3.Connection, now: datetime, lang: str, with_charts: bool = False) -> Page:
    """`with_charts`: the HTML page's charts (the Markdown page has none, and does not pay for them)."""
    monday = rules.week_start(now.date())
    week = f"W{monday.isocalendar().week:02d}"
    drawn = {}
    if with_charts:
        from salesflow.app import charts

        drawn = {_("Key numbers"): charts.trend_charts(weeks_table(conn, now)),
                 _("Dashboard"): [charts.funnel_chart(conn, now), charts.stage_time_chart(conn, now)],
                 _("Forecast: this month and next"): [charts.forecast_chart(conn, now)]}
    return Page(
        charts=drawn,
        title=_("Weekly sales report — {year} {week}").format(year=monday.year, week=week),
        subtitle=_("{monday:%Y-%m-%d} – {monday2:%Y-%m-%d} · generated {now:%Y-%m-%d %H:%M} by salesflow").format(monday=monday, monday2=monday + timedelta(days=6), now=now),
        sections=[
            (_("Dashboard"), dashboard_section(conn, now)),
            (_("Key numbers"), key_numbers(conn, now, lang)),
            (_("Stuck by stage"), stuck_report(conn, now, None, "stage")),
            (_("Health"), health_report(conn, now)),
            (_("Top overdue"), top_overdue(conn, now)),
            (_("Forecast: this month and next"), forecast_section(conn, now)),
            (_("Activity: is the process worked?"), activity_section(conn, now)),
        ],
    )
