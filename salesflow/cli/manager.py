"""The manager's view: `board` (the pipeline as columns of cards) and `dashboard` (indicators against thresholds)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve
from salesflow.cli.options import Format, FormatOpt, OutputOpt

commands = command_module()
RepOpt = Annotated[Optional[str], typer.Option("--rep", help="Only this rep's deals (handle or name).")]
TeamOpt = Annotated[Optional[str], typer.Option("--team", help="Only the deals of this team's reps.")]


@commands.command("board")
def board(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="Pipeline key; default: the database's default.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Cards per column on a terminal (1-1000); the rest as '+N more'. Piped, every card.")] = 6,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """The pipeline as a board: a column per open stage, deals as cards (overdue, due today, no plan, planned)."""
    from salesflow.app.board import board as build
    from salesflow.output.board import render_board
    from salesflow.output.emit import emit, emit_drawn

    from salesflow.domain.errors import BadInput
    from salesflow.i18n import _

    env = resolve(ctx)
    if not 1 <= limit <= 1000:
        raise BadInput(_("--limit {limit} must be from 1 to 1000").format(limit=limit), hint=_("e.g. --limit 10"))
    p, report = build(env.conn(), env.now, rep, team, pipeline)
    if fmt == Format.table:
        emit_drawn(lambda stream, style: render_board(report, p, style, stream, limit=limit, several=rep is None),
                   env.style(), output)
    else:
        emit(report, fmt.value, env.style(), output)


@commands.command("dashboard")
def dashboard(
    ctx: typer.Context,
    rep: RepOpt = None,
    team: TeamOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 3 when an indicator is red (for cron).")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """The indicators a sales meeting watches, each with its threshold and a green/red mark."""
    from salesflow.app.dashboard import has_red, indicators
    from salesflow.output.emit import emit

    env = resolve(ctx)
    report = indicators(env.conn(), env.now, rep, team)
    emit(report, fmt.value, env.style(), output)
    if check and has_red(report):
        raise typer.Exit(3)
