"""What the HTML pages chart, as data (output.charts draws it): the funnel, the 9-week trends, forecast
against target by month, and the average days spent in each stage."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta

from salesflow.i18n import _
from salesflow.output.charts import Chart

FUNNEL_DAYS = 365  # the cohort the funnel and stage-time charts show: deals created in the last year


def _funnel_rows(conn: sqlite3.Connection, now: datetime, since: str | None = None):
    from salesflow.app.analytics import FunnelQuery, funnel_report
    from salesflow.app.setup import default_pipeline
    from salesflow.store.pipelines import load_pipeline

    pipeline = load_pipeline(conn, default_pipeline(conn))
    since = since or (now - timedelta(days=FUNNEL_DAYS)).date().isoformat()
    rows = list(funnel_report(conn, FunnelQuery(since=since, pipeline=pipeline.key), now).rows)
    return pipeline, rows, since


def _word(pipeline, key: str) -> str:
    from salesflow.i18n import current

    stage = pipeline.stage(key)
    return stage.label_zh if current() == "zh" else stage.name


def funnel_chart(conn: sqlite3.Connection, now: datetime, rows: list | None = None, pipeline=None, since: str | None = None) -> Chart:
    """Deals reached per stage; each label carries the share of the cohort that got that far."""
    if rows is None:
        pipeline, rows, since = _funnel_rows(conn, now, since)
    labels = [f"{_word(pipeline, r['stage'])} {r['cumulative_rate']:.0%}" if r["cumulative_rate"] is not None
              else _word(pipeline, r["stage"]) for r in rows]
    title = (_("Funnel: deals created since {since} that reached each stage").format(since=since) if since
             else _("Funnel: deals that reached each stage"))
    return Chart("funnel", "bar", title,
                 labels, [(_("reached"), [r["reached"] for r in rows])])


def stage_time_chart(conn: sqlite3.Connection, now: datetime) -> Chart:
    pipeline, rows, since = _funnel_rows(conn, now)
    rows = [r for r in rows if pipeline.stage(r["stage"]).is_open]
    return Chart("stage-time", "bar", _("Average days in each stage (deals created since {since})").format(since=since),
                 [_word(pipeline, r["stage"]) for r in rows], [(_("days"), [r["avg_days"] for r in rows])],
                 value_format="days")


def trend_charts(weeks: list) -> list[Chart]:
    labels = [f"W{w.start.isocalendar().week:02d}" for w in weeks]
    return [
        Chart("leads", "line", _("New and valid leads per week"), labels,
              [(_("New leads"), [w.new_leads for w in weeks]), (_("Valid leads (reached the 2nd stage)"), [w.valid_leads for w in weeks])]),
        Chart("won", "bar", _("Won amount per week"), labels, [(_("Won amount"), [w.won_amount / 100 for w in weeks])],
              value_format="money"),
    ]


def forecast_chart(conn: sqlite3.Connection, now: datetime, rows: list | None = None) -> Chart:
    """Weighted forecast, won so far and target per month (the next six months with open deals or a target)."""
    if rows is None:
        from salesflow.app.forecast import ForecastQuery, forecast_report

        this = f"{now.year:04d}-{now.month:02d}"
        rows = list(forecast_report(conn, now, ForecastQuery(), include=(this,)).rows)
    rows = [r for r in rows if re.fullmatch(r"\d{4}-\d{2}", str(r["month"]))][:6]  # months (not "later", "unscheduled")
    series = [(_("weighted"), [r["weighted"] / 100 for r in rows]),
              (_("won"), [None if r.get("won") is None else r["won"] / 100 for r in rows])]
    if any(r.get("target") for r in rows):
        series.append((_("target"), [None if r.get("target") is None else r["target"] / 100 for r in rows]))
    return Chart("forecast", "bar", _("Forecast against target by month"), [r["month"] for r in rows], series,
                 value_format="money")


def funnel_page(conn: sqlite3.Connection, now: datetime, query, report):
    """`funnel -f html`: the funnel chart of the query's window (all groups together), then its table."""
    from salesflow.app.analytics import funnel_report
    from salesflow.output.page import Page
    from salesflow.store.pipelines import load_pipeline
    from salesflow.app.setup import default_pipeline

    pipeline = load_pipeline(conn, query.pipeline or default_pipeline(conn))
    whole = list(funnel_report(conn, query._replace(by=None, summary=False, pipeline=pipeline.key), now).rows)
    chart = funnel_chart(conn, now, whole, pipeline, query.since)
    if query.until:
        chart.title += _(", created before {until}").format(until=query.until)
    return Page(title=report.title, subtitle=_("generated {now:%Y-%m-%d %H:%M} by salesflow").format(now=now),
                sections=[(report.title, report)], charts={report.title: [chart]})


def forecast_page(conn: sqlite3.Connection, now: datetime, query, report, stages: bool):
    """`forecast -f html`: forecast against target by month (the whole team), then the table."""
    from salesflow.app.forecast import forecast_report
    from salesflow.output.page import Page

    rows = list(report.rows) if not stages and query.by is None else list(forecast_report(conn, now, query._replace(by=None)).rows)
    return Page(title=report.title, subtitle=_("generated {now:%Y-%m-%d %H:%M} by salesflow").format(now=now),
                sections=[(report.title, report)], charts={report.title: [forecast_chart(conn, now, rows)]})
