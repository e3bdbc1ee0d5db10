"""The morning list and its explanations: `due`, `why`, `silent`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve
from salesflow.cli.options import DealArg, Format, FormatOpt, OutputOpt, deal_id
from salesflow.i18n import _

commands = command_module()
DaysOpt = Annotated[int, typer.Option("--days", "-d", help="Also list what falls due in the next N days (0 = today).")]


@commands.command("due")
def due(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every rep's list, grouped by rep (and unassigned leads).")] = False,
    team: Annotated[Optional[str], typer.Option("--team", help="One team's reps, grouped by rep.")] = None,
    days: DaysOpt = 0,
    check: Annotated[bool, typer.Option("--check", help="Exit 3 when anything is overdue (for cron).")] = False,
    ics: Annotated[bool, typer.Option("--ics", help="Write the list as an iCalendar file (to -o FILE, else stdout).")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Who to call today and why: overdue first, then today's, most urgent first (see `why`)."""
    from salesflow.app.due import DueQuery, due_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    report, items = due_report(env.conn(), DueQuery(rep=env.me, all=all_, team=team, days=days), env.now)
    if ics:
        from salesflow.app.calendar import calendar_for
        from salesflow.output.ics import write_ics

        write_ics(calendar_for(env.conn(), items, env.now), output)
        if output:
            print(_("wrote {n} events to {output}").format(n=len(items), output=output), file=sys.stderr)
    else:
        emit(report, fmt.value, env.style(), output)
    if check and any(i.overdue for i in items):
        raise typer.Exit(3)


@commands.command("why")
def why(ctx: typer.Context, deal: DealArg, days: DaysOpt = 0) -> None:
    """Explain a deal: every deadline, every urgency term with its weight, and what blocks the next stage."""
    from salesflow.app.due import why as explain
    from salesflow.output.card import render_explanation

    env = resolve(ctx)
    render_explanation(explain(env.conn(), deal_id(deal), env.now, days), env.style(), sys.stdout)


@commands.command("silent")
def silent(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", help="Silent means no touch in this many days.")] = 30,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """The weekly reactivation list: customers nobody has touched in N days, by owner, A before B before C."""
    from salesflow.app.due import silent_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(silent_report(env.conn(), env.now, days), fmt.value, env.style(), output)
