"""`undo` and `undo --list`."""

from __future__ import annotations

from typing import Annotated

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import echo, resolve
from salesflow.cli.options import Format, FormatOpt, OutputOpt

commands = command_module()


@commands.command("undo")
def undo(
    ctx: typer.Context,
    list_: Annotated[bool, typer.Option("--list", help="Show recent commands instead of undoing.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="How many commands --list shows.")] = 20,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Revert your most recent command (a lead, a move, a set, a touch …) as a whole; prints what it reverted."""
    env = resolve(ctx)
    if list_:
        from salesflow.app.undo import history_report
        from salesflow.output.emit import emit

        emit(history_report(env.conn(), max(1, limit)), fmt.value, env.style(), output)
        return
    from salesflow.app.undo import undo as run

    echo(run(env.conn(), env.act("undo")))
