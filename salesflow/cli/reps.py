"""Reps: `rep add`, `rep set`, `rep list`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from salesflow.cli.app import sub_app
from salesflow.cli.env import resolve
from salesflow.cli.options import Format, FormatOpt, OutputOpt

rep_app = sub_app("rep", "Add, change and list reps (handle, display name, role, manager, team, capacity).")

NameOpt = Annotated[Optional[str], typer.Option("--name", help="Display name, e.g. 王伟.")]
RoleOpt = Annotated[Optional[str], typer.Option("--role", help="rep, manager or admin.")]
ManagerOpt = Annotated[Optional[str], typer.Option("--manager", help="The manager's handle ('' for none).")]
TeamOpt = Annotated[Optional[str], typer.Option("--team", help="Team name, e.g. east.")]
CapacityOpt = Annotated[Optional[int], typer.Option("--capacity", help="Most open deals for assignment (default 50).")]
LoginOpt = Annotated[bool, typer.Option("--login", help="PostgreSQL: a database role named by the handle, to log in as (created, or an existing one linked).")]


@rep_app.command("add")
def rep_add(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="Short lower-case handle, e.g. wang.")],
    name: NameOpt = None, role: RoleOpt = None, manager: ManagerOpt = None, team: TeamOpt = None,
    capacity: CapacityOpt = None, login: LoginOpt = False,
) -> None:
    """Add a rep (on PostgreSQL, with --login, also their database role)."""
    from salesflow.app.reps import RepInput, add_rep

    env = resolve(ctx)
    data = RepInput(name=name, role=role, manager=manager, team=team, capacity=capacity, login=login)
    print(add_rep(env.conn(), handle, data, env.act("rep add")), file=sys.stderr)


@rep_app.command("set")
def rep_set(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="The rep's handle.")],
    name: NameOpt = None, role: RoleOpt = None, manager: ManagerOpt = None, team: TeamOpt = None,
    capacity: CapacityOpt = None,
    active: Annotated[Optional[bool], typer.Option("--active/--inactive", help="Mark the rep active or inactive.")] = None,
    login: LoginOpt = False,
) -> None:
    """Change a rep's name, role, manager, team, capacity or active flag (or, on PostgreSQL, give them a login)."""
    from salesflow.app.reps import RepInput, set_rep

    env = resolve(ctx)
    data = RepInput(name=name, role=role, manager=manager, team=team, capacity=capacity, active=active, login=login)
    print(set_rep(env.conn(), handle, data, env.act("rep set")), file=sys.stderr)


@rep_app.command("list")
def rep_list(
    ctx: typer.Context,
    team: Annotated[Optional[str], typer.Option("--team", help="Only this team.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """List reps with their open deals."""
    from salesflow.app.reps import reps_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(reps_report(env.conn(), team), fmt.value, env.style(), output)
