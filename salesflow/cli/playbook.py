"""`playbook`: each stage's standard actions and their guides, and the pipeline's touch templates."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve
from salesflow.cli.options import Format, FormatOpt, OutputOpt

commands = command_module()


@commands.command("playbook")
def playbook(
    ctx: typer.Context,
    stage: Annotated[Optional[str], typer.Argument(help="Only this stage (key, name or 中文 label).")] = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="Pipeline key; default: the database's default.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """The team's playbook: each stage's standard actions (required ones block advancing) with their guides."""
    from salesflow.app.playbook import machine_rows, playbook_report
    from salesflow.output.emit import emit
    from salesflow.output.emit import emit_drawn
    from salesflow.output.playbook import render_playbook

    env = resolve(ctx)
    report, p = playbook_report(env.conn(), stage, pipeline)
    if fmt == Format.table:
        emit_drawn(lambda stream, style: render_playbook(report, p, style, stream, templates=stage is None), env.style(), output)
    else:
        emit(machine_rows(report), fmt.value, env.style(), output)
