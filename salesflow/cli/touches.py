"""Touches and follow-ups: `touch`, `note`, `followup`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import echo, resolve
from salesflow.cli.options import DealArg, deal_id

commands = command_module()


@commands.command("touch")
def touch(
    ctx: typer.Context,
    deal: DealArg,
    kind: Annotated[str, typer.Option("--kind", "-k", help="call, visit, meeting, email, wechat, demo, quote or note (or 电话, 拜访, 会议…).")],
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="What happened.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When it happened (default now), e.g. 'yesterday 15:00', 昨天.")] = None,
    next_: Annotated[Optional[str], typer.Option("--next", help="Schedule the next follow-up, e.g. fri, +3d, 下周五.")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="Who you spoke to (added to the customer's contacts).")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="Short outcome, e.g. interested, call back.")] = None,
) -> None:
    """Log a touch with a customer. Prints `touch ID on #DEAL` first; fulfils a follow-up due by then."""
    from salesflow.app.touches import log_touch

    env = resolve(ctx)
    echo(log_touch(env.conn(), deal_id(deal), kind, env.act("touch"), note=note, at=at, next=next_,
                   contact=contact, outcome=outcome))


@commands.command("note")
def note(
    ctx: typer.Context,
    touch_id: Annotated[str, typer.Argument(metavar="TOUCH_ID", help="The touch's id (shown by touch and show).")],
    text: Annotated[str, typer.Argument(help="Notes to add to the touch.")],
) -> None:
    """Add notes to a logged touch (e.g. visit notes written later)."""
    from salesflow.app.touches import add_note, parse_touch_id

    env = resolve(ctx)
    echo(add_note(env.conn(), parse_touch_id(touch_id), text, env.act("note")))


@commands.command("followup")
def followup(
    ctx: typer.Context,
    deal: DealArg,
    when: Annotated[str, typer.Argument(help="When, e.g. tomorrow, fri 10:00, +3d, 下周五, 2026-12-01.")],
) -> None:
    """Schedule the next follow-up of a deal without logging a touch."""
    from salesflow.app.touches import schedule_followup

    env = resolve(ctx)
    echo(schedule_followup(env.conn(), deal_id(deal), when, env.act("followup")))
