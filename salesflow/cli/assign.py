"""Assignment and escalation: `assign`, `sweep`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve
from salesflow.i18n import _

commands = command_module()


@commands.command("assign")
def assign(
    ctx: typer.Context,
    team: Annotated[Optional[str], typer.Option("--team", help="Assign only to reps of this team.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print who would get what; change nothing.")] = False,
) -> None:
    """Give every unassigned open deal to the rep with the lowest open-deals ÷ capacity (ties: fewer assigned in 24 h, then handle)."""
    from salesflow.app.assign import assign as run

    env = resolve(ctx)
    for line in run(env.conn(), team, dry_run, env.act("assign")):
        print(line)


@commands.command("sweep")
def sweep(
    ctx: typer.Context,
    assign_: Annotated[bool, typer.Option("--assign", help="Assign leads left unassigned past the assignment window.")] = False,
    reassign: Annotated[bool, typer.Option("--reassign", help="Reassign leads untouched past twice the first-touch window.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 3 when any SLA was breached (for cron).")] = False,
) -> None:
    """Cron: escalate untouched leads to the owner's manager; optionally assign and reassign. Prints every action."""
    from salesflow.app.assign import sweep as run

    env = resolve(ctx)
    result = run(env.conn(), do_assign=assign_, do_reassign=reassign, act=env.act("sweep"))
    for line in result.actions + result.notices:
        print(line)
    if result.actions or result.notices:  # silent when nothing new: cron mails only what it prints
        n = len(result.notices)
        print(_("{breaches} SLA breach{value}, {n} action{value2}").format(breaches=result.breaches, value='es' if result.breaches != 1 else '', n=len(result.actions), value2='s' if len(result.actions) != 1 else '') + (f", {n} notice{'s' if n != 1 else ''}" if n else ""),
              file=sys.stderr)
    if check and result.breaches:
        raise typer.Exit(3)
