"""Manager reports: `funnel` (more to come: stuck, health, review, report)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve
from salesflow.cli.options import ChartFormat, ChartFormatOpt, Format, FormatOpt, OutputOpt
from salesflow.i18n import _

commands = command_module()
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="Cohort: created on/after, e.g. 2026-10-01, 2026-10, 2026Q3, last month, 本月.")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Cohort: created before (the start of) this, e.g. 2026-11, this month.")]


@commands.command("funnel")
def funnel(
    ctx: typer.Context,
    by: Annotated[Optional[str], typer.Option("--by", help="Group by rep, team, manager (the owner's), source, grade, pipeline or month.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="Pipeline key; default: the database's default.")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Per group: deals, won, lost, win rate, won amount, cycle days.")] = False,
    fmt: ChartFormatOpt = ChartFormat.table,
    output: OutputOpt = None,
) -> None:
    """Cohort funnel: of the deals created in the window, how many reached each stage, and how fast."""
    from salesflow.app.analytics import FunnelQuery, funnel_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    query = FunnelQuery(by=by.lower() if by else None, since=since, until=until, pipeline=pipeline, summary=summary)
    report = funnel_report(env.conn(), query, env.now)
    if fmt == ChartFormat.html:
        from salesflow.app.charts import funnel_page

        from salesflow.cli.env import write_page
        from salesflow.output.page import html_page

        write_page(html_page(funnel_page(env.conn(), env.now, query, report), env.lang), output)
    else:
        emit(report, fmt.value, env.style(), output)


@commands.command("stuck")
def stuck(
    ctx: typer.Context,
    over: Annotated[Optional[int], typer.Option("--over", help="Instead: open deals in their current stage longer than DAYS.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Summarise by rep or stage: count, longest, who is stuck longest.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Open deals past their stage's idle limit with no plan — how long, why (last note), whose."""
    from salesflow.app.team import stuck_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(stuck_report(env.conn(), env.now, over, by.lower() if by else None), fmt.value, env.style(), output)


@commands.command("health")
def health(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="Exit 3 when any rep is red (for cron).")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="team or manager: each rep under their team or manager.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Red / yellow / green per rep, with the reasons written out."""
    from salesflow.app.team import health_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    report = health_report(env.conn(), env.now, by.lower() if by else None)  # rows are a list: read twice below
    emit(report, fmt.value, env.style(), output)
    if check and any(r["status"] == "red" for r in report.rows):
        raise typer.Exit(3)


review_app = typer.Typer(name="review", add_completion=False, invoke_without_command=True,
                         context_settings={"help_option_names": ["-h", "--help"]},
                         help="Win/loss review (复盘) and spot checks: review, review sample, review score, review cases.")
PeriodOpt = Annotated[str, typer.Option("--period", help="Deals closed in: last-month, 2026-10, 2026Q4, this quarter, 上月 …")]


@review_app.callback()
def review(
    ctx: typer.Context,
    period: PeriodOpt = "last-month",
    section: Annotated[Optional[str], typer.Option("--section", help="Only one part: lost-reasons, reps, sources, touches, cycle or activity (needed for csv/tsv/jsonl).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="The reps and activity sections per team or manager instead of per rep.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Win/loss review (复盘): lost reasons, each rep's largest won and lost deal, win rate by source and by touches, cycle, activity."""
    if ctx.invoked_subcommand is not None:
        return
    from salesflow.app.review import SECTIONS, review as run
    from salesflow.domain.errors import UsageProblem
    from salesflow.output.emit import emit_sections

    env = resolve(ctx)
    if section is not None and section not in SECTIONS:
        raise UsageProblem(_("--section {section!r} is not a section").format(section=section), hint=_("sections: ") + ", ".join(SECTIONS))
    if section is None and fmt.value in ("csv", "tsv", "jsonl"):
        raise UsageProblem(_("-f {value} needs one --section").format(value=fmt.value), hint=_("sections: ") + ", ".join(SECTIONS) + _(" (or use -f json)"))
    reports = run(env.conn(), period, env.now, by.lower() if by else None)
    emit_sections({k: v for k, v in reports.items() if section in (None, k)}, fmt.value, env.style(), output)


@review_app.command("sample")
def review_sample(
    ctx: typer.Context,
    rep: Annotated[str, typer.Option("--rep", help="Whose touches to check (handle or name).")],
    n: Annotated[int, typer.Option("--n", help="How many touches to pick.")] = 3,
    days: Annotated[int, typer.Option("--days", help="From the touches of the last N days.")] = 7,
    seed: Annotated[Optional[str], typer.Option("--seed", help="Pick with this seed (default: the rep and today's date): the same seed, the same touches.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Pick a rep's recent, unchecked touches at random for a manager to read (a spot check)."""
    from salesflow.app.spotcheck import sample_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(sample_report(env.conn(), rep, env.now, n=n, seed=seed, days=days), fmt.value, env.style(), output)


@review_app.command("score")
def review_score(
    ctx: typer.Context,
    touch: Annotated[str, typer.Argument(metavar="TOUCH_ID", help="The touch's id (shown by review sample and show).")],
    score: Annotated[str, typer.Argument(metavar="SCORE", help="1 (not usable) to 5 (a model record).")],
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="What was good or missing.")] = None,
) -> None:
    """Score a touch record 1-5 after reading it (a second score replaces the first)."""
    from salesflow.app.spotcheck import parse_score, score_touch
    from salesflow.app.touches import parse_touch_id
    from salesflow.cli.env import echo

    env = resolve(ctx)
    echo(score_touch(env.conn(), parse_touch_id(touch), parse_score(score), env.act("review score"), note=note))


@review_app.command("cases")
def review_cases(
    ctx: typer.Context,
    period: PeriodOpt = "last-month",
    fmt: Annotated[Format, typer.Option("-f", "--format", help="table, markdown (a handout), csv, tsv, json or jsonl.", case_sensitive=False)] = Format.table,
    output: OutputOpt = None,
) -> None:
    """Per rep, the largest deal won and lost in the period with its timeline, for the monthly review meeting."""
    from salesflow.app.spotcheck import cases_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(cases_report(env.conn(), period, env.now), fmt.value, env.style(), output)


report_app = typer.Typer(name="report", help="Pages for meetings: report weekly.", no_args_is_help=True,
                         add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})


class PageFormat(str, __import__("enum").Enum):
    markdown = "markdown"
    html = "html"


@report_app.command("weekly")
def report_weekly(
    ctx: typer.Context,
    fmt: Annotated[PageFormat, typer.Option("-f", "--format", help="markdown (for a chat) or html (for a browser).")] = PageFormat.markdown,
    output: OutputOpt = None,
) -> None:
    """The weekly meeting page: key numbers over 9 weeks with sparklines, stuck by stage, health, top overdue."""
    from salesflow.app.weekly import weekly_page
    from salesflow.cli.env import write_page
    from salesflow.output.page import html_page, markdown

    env = resolve(ctx)
    page = weekly_page(env.conn(), env.now, env.lang, with_charts=fmt == PageFormat.html)
    write_page(markdown(page, env.lang) if fmt == PageFormat.markdown else html_page(page, env.lang), output)
