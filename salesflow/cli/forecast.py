"""Forecast and targets: `forecast` (with `snapshot`, `accuracy`, `backtest`), `target set|list`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from salesflow.cli.env import resolve
from salesflow.cli.options import ChartFormat, ChartFormatOpt, Format, FormatOpt, OutputOpt

_settings = {"help_option_names": ["-h", "--help"]}
forecast_app = typer.Typer(name="forecast", add_completion=False, context_settings=_settings, invoke_without_command=True,
                           help="What will close: open deals × learned stage probabilities, by expected close month.")
target_app = typer.Typer(name="target", add_completion=False, context_settings=_settings, no_args_is_help=True,
                         help="Monthly targets for the team or a rep.")

MethodOpt = Annotated[str, typer.Option("--method", help="history (learned p, default) or stage (p = the stage's prior).")]
LookbackOpt = Annotated[str, typer.Option("--lookback", help="Learn from deals closed in the last N days, e.g. 365d.")]
PriorOpt = Annotated[float, typer.Option("--prior-weight", help="k in p = (w + k·prior) ÷ (n + k); 0 = history only.")]
PipelineOpt = Annotated[Optional[str], typer.Option("--pipeline", help="Only this pipeline.")]


def _query(method: str, lookback: str, prior_weight: float, pipeline: Optional[str], **more):
    from salesflow.app.forecast import ForecastQuery

    return ForecastQuery(method=method.lower(), lookback=lookback, prior_weight=prior_weight, pipeline=pipeline, **more)


@forecast_app.callback()
def forecast(
    ctx: typer.Context,
    method: MethodOpt = "history",
    lookback: LookbackOpt = "365d",
    prior_weight: PriorOpt = 5.0,
    by: Annotated[Optional[str], typer.Option("--by", help="rep, team or manager: split each month by the owner's.")] = None,
    months: Annotated[Optional[int], typer.Option("--months", help="Fold months beyond the next N into 'later'.")] = None,
    pipeline: PipelineOpt = None,
    stages: Annotated[bool, typer.Option("--stages", help="Show p, n, w and the prior per stage instead.")] = False,
    range_: Annotated[bool, typer.Option("--range", help="Add P10 / P50 / P90 of the amount won, by seeded simulation.")] = False,
    runs: Annotated[int, typer.Option("--runs", help="Simulation runs for --range.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Simulation seed for --range (same seed, same numbers).")] = 1,
    fmt: ChartFormatOpt = ChartFormat.table,
    output: OutputOpt = None,
) -> None:
    """Open deals by expected close month: deals, amount, weighted (amount × p), against target."""
    if ctx.invoked_subcommand is not None:
        return
    from salesflow.app.forecast import forecast_report, stages_report
    from salesflow.app.groups import check_people
    from salesflow.output.emit import emit

    by = check_people(by.lower() if by else None, "forecast")
    env = resolve(ctx)
    q = _query(method, lookback, prior_weight, pipeline, by=by, months=months, range=range_,
               runs=runs, seed=seed)
    report = stages_report(env.conn(), env.now, q) if stages else forecast_report(env.conn(), env.now, q)
    if fmt == ChartFormat.html:
        from salesflow.app.charts import forecast_page
        from salesflow.cli.env import write_page
        from salesflow.output.page import html_page

        write_page(html_page(forecast_page(env.conn(), env.now, q, report, stages), env.lang), output)
    else:
        emit(report, fmt.value, env.style(), output)


@forecast_app.command("snapshot")
def snapshot(ctx: typer.Context) -> None:
    """Store today's forecast (team and per rep); re-taking it the same day replaces it. For cron."""
    from salesflow.app.forecast import snapshot as take

    env = resolve(ctx)
    print(take(env.conn(), env.now, env.act("forecast snapshot")), file=sys.stderr)


@forecast_app.command("accuracy")
def accuracy(
    ctx: typer.Context,
    by: Annotated[Optional[str], typer.Option("--by", help="rep: accuracy per owner.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """How right past forecasts were: each ended month vs its last snapshot taken before it began."""
    from salesflow.app.forecast import accuracy_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(accuracy_report(env.conn(), env.now, by == "rep"), fmt.value, env.style(), output)


@forecast_app.command("backtest")
def backtest(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="Rebuild the pipeline as it stood on this date, e.g. 2026-06-01.")],
    horizon: Annotated[str, typer.Option("--horizon", help="Forecast this many days ahead of --as-of.")] = "90d",
    method: MethodOpt = "history",
    lookback: LookbackOpt = "365d",
    prior_weight: PriorOpt = 5.0,
    pipeline: PipelineOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Forecast from what was known on a past date and compare with what then closed."""
    from salesflow.app.forecast import backtest as run
    from salesflow.output.emit import emit

    env = resolve(ctx)
    report = run(env.conn(), as_of, horizon, env.now, _query(method, lookback, prior_weight, pipeline))
    emit(report, fmt.value, env.style(), output)


@target_app.command("set")
def target_set(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(help="YYYY-MM.")],
    amount: Annotated[str, typer.Argument(help="e.g. 50万, 500000, 1.2m.")],
    rep: Annotated[Optional[str], typer.Option("--rep", help="A rep's own target (default: the team's).")] = None,
) -> None:
    """Set the team's (or a rep's) target for a month."""
    from salesflow.app.forecast import set_target

    env = resolve(ctx)
    print(set_target(env.conn(), month, amount, rep, env.act("target set")), file=sys.stderr)


@target_app.command("list")
def target_list(ctx: typer.Context, fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """List targets."""
    from salesflow.app.forecast import targets_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(targets_report(env.conn()), fmt.value, env.style(), output)
