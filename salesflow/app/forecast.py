"""Forecast: by close month and rep, learned stage probabilities, ranges, targets, snapshots,
accuracy and backtest."""

from __future__ import annotations

import math
import re
import sqlite3
import statistics
from datetime import date, datetime, timedelta
from typing import NamedTuple

from salesflow.app.context import Act, writes
from salesflow.app.groups import grouper
from salesflow.app.reps import resolve_owner
from salesflow.domain import forecast as rules
from salesflow.domain.dates import in_range, iso, parse_when
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.domain.money import format_amount
from salesflow.domain.periods import parse_period
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store import changes
from salesflow.store import forecast as store
from salesflow.store.changes import Cmd
from salesflow.store.pipelines import load_pipeline, pipeline_keys, stage_labels
from salesflow.i18n import N_, _


class ForecastQuery(NamedTuple):
    method: str = "history"
    lookback: str = "365d"
    prior_weight: float = 5.0
    by: str | None = None  # rep, team or manager: each month split by the owner's group (app.groups)
    months: int | None = None
    pipeline: str | None = None
    range: bool = False
    runs: int = 10_000
    seed: int = 1


MAX_DAYS = 36_500  # a hundred years: any longer window is a typo


def _days(text: str, what: str) -> int:
    m = re.fullmatch(r"\s*(\d{1,9})\s*(d|days?|天)?\s*", str(text))
    if not m or not 1 <= int(m[1]) <= MAX_DAYS:
        raise BadInput(_("{what} {text!r} is not a number of days from 1 to {max_days:,}").format(what=what, text=str(text)[:40], max_days=MAX_DAYS),
                       hint=_("e.g. {what} 365d").format(what=what))
    return int(m[1])


def _check(q: ForecastQuery) -> None:
    if q.method not in ("history", "stage"):
        raise UsageProblem(_("--method {method!r} is not a method").format(method=q.method), hint=_("use --method history or --method stage"))
    if not math.isfinite(q.prior_weight) or not 0 <= q.prior_weight <= 1000:
        raise BadInput(_("--prior-weight {prior_weight:g} is out of range").format(prior_weight=q.prior_weight), hint=_("a number from 0 to 1000 (default 5)"))
    if q.months is not None and not 0 <= q.months <= 1200:
        raise BadInput(_("--months {months} is out of range").format(months=q.months), hint=_("fold months beyond the next N: 0 to 1200"))
    if q.runs < 1 or q.runs > 1_000_000:
        raise BadInput(_("--runs must be from 1 to 1,000,000"))


def stage_probabilities(conn: sqlite3.Connection, pipeline_key: str, now: datetime, q: ForecastQuery) -> dict[str, rules.StageP]:
    pipeline = load_pipeline(conn, pipeline_key)
    if q.method == "stage":
        return {s.key: rules.StageP(s.key, s.prior, 0, 0, s.prior) for s in pipeline.open_stages}
    since = now - timedelta(days=_days(q.lookback, "--lookback"))
    return rules.from_reach(pipeline, store.closed_reach(conn, pipeline_key, iso(since), iso(now)), q.prior_weight)


def _keys(conn: sqlite3.Connection, pipeline: str | None) -> list[str]:
    return [load_pipeline(conn, pipeline).key] if pipeline else pipeline_keys(conn)


class Line(NamedTuple):
    month: str
    rep: str | None
    deals: int
    amount: int
    weighted: int
    members: tuple[tuple[int, float], ...]  # (amount, p) for the range simulation


def forecast_lines(conn: sqlite3.Connection, now: datetime, q: ForecastQuery, open_rows=None,
                   probs: dict | None = None) -> list[Line]:
    _check(q)
    probs = probs or {k: stage_probabilities(conn, k, now, q) for k in _keys(conn, q.pipeline)}
    rows = open_rows if open_rows is not None else store.open_for_forecast(conn, q.pipeline)
    group = grouper(conn, q.by)
    acc: dict[tuple[str, str | None], list] = {}
    for r in rows:
        if r["pipeline"] not in probs or r["stage"] not in probs[r["pipeline"]]:
            continue
        p = probs[r["pipeline"]][r["stage"]].probability
        close = date.fromisoformat(r["close_date"]) if r["close_date"] else None
        key = (rules.bucket(close, now.date(), q.months), group(r["owner"]))
        line = acc.setdefault(key, [0, 0, 0, []])
        line[0] += 1
        line[1] += r["amount"]
        line[2] += rules.weighted(r["amount"], p)
        line[3].append((r["amount"], p))
    order = sorted(acc, key=lambda k: (rules.bucket_order(k[0]), k[1] is not None, k[1] or ""))
    return [Line(m, rep, *acc[(m, rep)][:3], tuple(acc[(m, rep)][3])) for m, rep in order]


def resolved(conn: sqlite3.Connection, q: ForecastQuery) -> ForecastQuery:
    """The query with its pipeline as a key (typed as a name or label, any case, a prefix)."""
    return q._replace(pipeline=load_pipeline(conn, q.pipeline).key) if q.pipeline else q


def forecast_report(conn: sqlite3.Connection, now: datetime, q: ForecastQuery, include: tuple[str, ...] = ()) -> Report:
    """`include`: months to show even without open deals (the weekly page's this and next month)."""
    q = resolved(conn, q)
    lines = forecast_lines(conn, now, q)
    have = {line.month for line in lines}
    lines += [Line(month, None, 0, 0, 0, ()) for month in include if month not in have]
    lines.sort(key=lambda line: (rules.bucket_order(line.month), line.rep is not None, line.rep or ""))
    group = grouper(conn, q.by)
    target_by: dict[tuple[str, str | None], int] = {}
    for t in store.targets(conn):  # a team's or manager's target: its reps' targets added up
        if q.by in (None, "rep"):
            target_by[(t["month"], t["rep"] or None)] = t["amount"]
        elif t["rep"]:
            key = (t["month"], group(t["rep"]))
            target_by[key] = target_by.get(key, 0) + t["amount"]
    rows = []
    for line in lines:
        row = {"month": line.month, q.by or "rep": line.rep, "deals": line.deals, "amount": line.amount,
               "weighted": line.weighted, "target": None, "won": None, "gap": None, "flag": ""}
        if re.fullmatch(r"\d{4}-\d{2}", line.month):
            start, end = parse_period(line.month, now)
            won = store.won_between(conn, iso(start), iso(end), q.pipeline)
            row["won"] = sum(amount for owner, amount in won.items() if group(owner) == line.rep) if q.by else sum(won.values())
            target = target_by.get((line.month, line.rep))
            if target is not None:
                row["target"] = target
                row["gap"] = row["won"] + line.weighted - target
                if target and abs(row["gap"]) > 0.15 * target:
                    row["flag"] = "ahead" if row["gap"] > 0 else "behind"
        if q.range:
            row["p10"], row["p50"], row["p90"] = rules.simulate(list(line.members), q.runs, q.seed)
        rows.append(row)
    columns = [Column("month", words=labels.VALUES)] + ([Column(q.by, "text" if q.by == "team" else "owner")] if q.by else []) + [
        Column("deals", "int"), Column("amount", "money"), Column("weighted", "money")]
    if q.range:
        columns += [Column("p10", "money"), Column("p50", "money"), Column("p90", "money")]
    columns += [Column("won", "money", in_machine=False), Column("target", "money", in_machine=False),
                Column("gap", "money", in_machine=False), Column("flag", in_machine=False, words=labels.VALUES)]
    how = (_("p = the stage's prior") if q.method == "stage" else
           _("p(s) = (w + {prior_weight:g}·prior) ÷ (n + {prior_weight:g}) over deals closed in the last {lookback}").format(prior_weight=q.prior_weight, lookback=q.lookback))
    return Report(
        title=(_("Forecast — open deals by expected close month and {by}").format(by=labels.word(labels.GROUPS, q.by))
               if q.by else _("Forecast — open deals by expected close month")),
        columns=columns, rows=rows, empty=_("no open deals"),
        footer=[_("weighted = amount × p(stage); {how} (salesflow forecast --stages)").format(how=how),
                _("won = won so far in the month; gap = won + weighted − target, flagged beyond ±15 % of target")
                + (_("; P10/P50/P90 of the amount won by {runs:,} seeded runs (seed {seed})").format(runs=q.runs, seed=q.seed) if q.range else "")],
        left_out=_left_out(conn, now, q),
    )


def _left_out(conn: sqlite3.Connection, now: datetime, q: ForecastQuery) -> list[str]:
    if q.method != "history":
        return []
    since = now - timedelta(days=_days(q.lookback, "--lookback"))
    n = store.closed_left_out(conn, q.pipeline, iso(since), iso(now))
    return [_("{n:,} closed deal(s) whose stage history or close date is unknown (imported without it) are left out of p").format(n=n)
            ] if n else []


def stages_report(conn: sqlite3.Connection, now: datetime, q: ForecastQuery) -> Report:
    q = resolved(conn, q)
    _check(q)
    rows = []
    for key in _keys(conn, q.pipeline):
        for s in stage_probabilities(conn, key, now, q).values():
            rows.append({**s._asdict(), "pipeline": key})
    return Report(
        title=_("Stage probabilities"), rows=rows, stage_labels=stage_labels(conn),
        columns=[Column("stage", "stage"), Column("prior", "rate"), Column("closed_reached", "int"),
                 Column("won_reached", "int"), Column("probability", "rate"), Column("pipeline")],
        footer=[_("n = deals closed in the last {lookback} that reached the stage, w = the won among them; p = (w + {prior_weight:g}·prior) ÷ (n + {prior_weight:g})").format(lookback=q.lookback, prior_weight=q.prior_weight) if q.method == "history" else "p = prior"],
        left_out=_left_out(conn, now, q))


# ---------------------------------------------------------------------------------------------
# targets


def parse_month(text: str) -> str:
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not m or not 1 <= int(m[2]) <= 12:
        raise BadInput(_("{text!r} is not a month").format(text=text), hint=_("write it as YYYY-MM, e.g. 2026-12"))
    in_range(date(int(m[1]), int(m[2]), 1), "month")
    return f"{int(m[1]):04d}-{int(m[2]):02d}"


@writes
def set_target(conn: sqlite3.Connection, cmd: Cmd, month: str, amount: str, rep: str | None, act: Act) -> str:
    from salesflow.app.currency import currency_of, typed_amount

    month = parse_month(month)
    value, _original = typed_amount(amount, currency_of(conn))  # a target in another currency, converted by its rate
    handle = resolve_owner(conn, rep) if rep else ""
    existing = store.target_id(conn, month, handle or "")
    if existing is None:
        changes.insert(conn, cmd, "target", {"month": month, "rep": handle or "", "amount": value})
    else:
        changes.update(conn, cmd, "target", existing, {"amount": value})
    return (_("target {month} for {handle}: {amount}").format(month=month, handle=handle, amount=format_amount(value)) if handle
            else _("target {month} (team): {amount}").format(month=month, amount=format_amount(value)))


def targets_report(conn: sqlite3.Connection) -> Report:
    return Report(title=_("Targets"), rows=[{"month": t["month"], "rep": t["rep"] or None, "amount": t["amount"]}
                                         for t in store.targets(conn)],
                  columns=[Column("month"), Column("rep", words={None: N_("(team)")}), Column("amount", "money")],
                  empty=_("no targets yet — set one with: salesflow target set 2026-12 50万"))


# ---------------------------------------------------------------------------------------------
# snapshots and accuracy


@writes
def snapshot(conn: sqlite3.Connection, cmd: Cmd, now: datetime, act: Act) -> str:
    q = ForecastQuery()
    team = forecast_lines(conn, now, q)
    reps = forecast_lines(conn, now, q._replace(by="rep"))
    rows = [(now.date().isoformat(), line.month, line.rep or "", line.deals, line.amount, line.weighted, q.method)
            for line in team + [r for r in reps if r.rep]]
    store.replace_snapshot(conn, now.date().isoformat(), rows)
    return _("snapshot {isoformat}: {n} months, {value:,.2f} weighted").format(isoformat=now.date().isoformat(), n=len(team), value=sum(line.weighted for line in team) / 100)


def accuracy_report(conn: sqlite3.Connection, now: datetime, by_rep: bool) -> Report:
    snaps = store.snapshots(conn)
    months = sorted({s["month"] for s in snaps if re.fullmatch(r"\d{4}-\d{2}", s["month"])})
    rows = []
    for month in months:
        start, end = parse_period(month, now)
        if end > now:
            continue  # not over yet
        before = [s for s in snaps if s["month"] == month and s["taken_on"] < start.date().isoformat()]
        if not before:
            continue
        taken = max(s["taken_on"] for s in before)
        chosen = [s for s in before if s["taken_on"] == taken]
        won = store.won_between(conn, iso(start), iso(end))
        lines = [(s["rep"] or None, s["weighted"]) for s in chosen if bool(s["rep"]) == by_rep]
        if by_rep:  # reps who won without being forecast count too
            lines += [(rep, 0) for rep in won if rep and rep not in {r for r, _ in lines}]
        for rep, forecast in lines:
            actual = won.get(rep, 0) if by_rep else sum(won.values())
            rows.append({"month": month, "rep": rep, "snapshot": taken, "forecast": forecast, "actual": actual,
                         "bias": forecast - actual, "error_pct": None if actual == 0 else (forecast - actual) / actual})
    errors = [abs(r["error_pct"]) for r in rows if r["error_pct"] is not None]
    columns = [Column("month")] + ([Column("rep", "owner")] if by_rep else []) + [
        Column("snapshot"), Column("forecast", "money"), Column("actual", "money"), Column("bias", "money"),
        Column("error_pct", "rate")]
    return Report(
        title=_("Forecast accuracy"), columns=columns, rows=rows,
        footer=[_("months that have ended with a snapshot taken before they began (the latest such one); error = (forecast − actual) ÷ actual; MAPE over months: ")
                + (f"{statistics.fmean(errors):.1%}" if errors else "—")],
        empty=_("no month has ended since a snapshot was taken before it — run `salesflow forecast snapshot` from cron"))


# ---------------------------------------------------------------------------------------------
# backtest


def backtest(conn: sqlite3.Connection, as_of_text: str, horizon: str, now: datetime, q: ForecastQuery) -> Report:
    q = resolved(conn, q)
    as_of = parse_when(as_of_text, now, direction="past").at
    if as_of >= now:
        raise BadInput(_("--as-of {as_of_text} is not in the past").format(as_of_text=as_of_text))
    days = _days(horizon, "--horizon")
    end = as_of + timedelta(days=days)
    probs = {}
    for key in _keys(conn, q.pipeline):  # learned only from deals closed before the as-of date
        pipeline = load_pipeline(conn, key)
        since = as_of - timedelta(days=_days(q.lookback, "--lookback"))
        probs[key] = (rules.from_reach(pipeline, store.closed_reach(conn, key, iso(since), iso(as_of)), q.prior_weight)
                      if q.method == "history" else
                      {s.key: rules.StageP(s.key, s.prior, 0, 0, s.prior) for s in pipeline.open_stages})
    then = [r for r in store.deals_as_of(conn, iso(as_of)) if r["stage"] is not None]
    open_then = [r for r in then if r["pipeline"] in probs and r["stage"] in probs[r["pipeline"]]]
    in_horizon = [r for r in open_then if r["close_date"] and as_of.date() <= date.fromisoformat(r["close_date"]) < end.date()]
    forecast = sum(rules.weighted(r["amount"], probs[r["pipeline"]][r["stage"]].probability) for r in in_horizon)
    open_ids = {r["id"] for r in open_then}
    won = [r for r in store.won_deals_between(conn, iso(as_of), iso(end)) if q.pipeline in (None, r["pipeline"])]
    actual = sum(r["amount"] for r in won if r["id"] in open_ids)  # what the pipeline of that day went on to win
    rows = [{"as_of": as_of.date().isoformat(), "horizon_end": end.date().isoformat(), "open_deals": len(open_then),
             "in_horizon": len(in_horizon), "forecast": forecast, "actual": actual, "bias": forecast - actual,
             "error_pct": None if actual == 0 else (forecast - actual) / actual,
             "won_all": sum(r["amount"] for r in won)}]
    return Report(
        title=_("Backtest as of {as_of:%Y-%m-%d}").format(as_of=as_of), rows=rows,
        columns=[Column("as_of"), Column("horizon_end"), Column("open_deals", "int"), Column("in_horizon", "int"),
                 Column("forecast", "money"), Column("actual", "money"), Column("bias", "money"),
                 Column("error_pct", "rate"), Column("won_all", "money")],
        footer=[_("the pipeline rebuilt as it stood then (stages from stage events, amounts and close dates from the change log); p learned from deals closed before then; forecast = weighted open deals expected to close within {days} days; actual = what the deals open then won in that window (won_all adds deals created later)").format(days=days)])
