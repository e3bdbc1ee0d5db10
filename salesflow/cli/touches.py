"""Touches, actions and follow-ups: `touch`, `did`, `note`, `followup`."""

from __future__ import annotations

import sys
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
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="call, visit, meeting, email, wechat, demo, quote or note (or 电话, 拜访, 会议…); with --template, the template's kind by default.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="What happened.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When it happened (default now), e.g. 'yesterday 15:00', 昨天.")] = None,
    next_: Annotated[Optional[str], typer.Option("--next", help="Schedule the next follow-up, e.g. fri, +3d, 下周五.")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="Who you spoke to (added to the customer's contacts).")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="Short outcome, e.g. interested, call back.")] = None,
    did: Annotated[Optional[list[str]], typer.Option("--did", help="A standard action of the deal's stage this touch did (repeatable), e.g. send-quote; see: salesflow playbook.")] = None,
    template: Annotated[Optional[str], typer.Option("--template", "-t", help="A touch template of the pipeline, e.g. five-step: asks each step's result on a terminal.")] = None,
    step: Annotated[Optional[list[str]], typer.Option("--step", help="A template step's result as KEY=TEXT (repeatable), e.g. --step needs='50 units'.")] = None,
) -> None:
    """Log a touch with a customer. Prints `touch ID on #DEAL` first; fulfils a follow-up due by then."""
    from salesflow.app.playbook import parse_steps
    from salesflow.app.touches import log_touch

    env = resolve(ctx)
    steps = parse_steps(step or [])
    if template is not None and sys.stdin.isatty():
        steps = _ask_steps(env, deal_id(deal), template, steps)
    echo(log_touch(env.conn(), deal_id(deal), kind, env.act("touch"), note=note, at=at, next=next_,
                   contact=contact, outcome=outcome, did=did or (), template=template, steps=steps))


def _ask_steps(env, deal: int, typed: str, given: dict[str, str]) -> dict[str, str]:
    """One prompt per step not given with --step, before the write starts (a required one cannot be left empty)."""
    from salesflow.app.playbook import STEP_MAX, template_of
    from salesflow.domain.errors import BadInput
    from salesflow.domain.text import clean_text
    from salesflow.i18n import _

    template = template_of(env.conn(), deal, typed)
    known = {k.strip().lower() for k in given}
    print(_("{template} — one line per step; an optional step may be left empty").format(template=template.word), file=sys.stderr)
    for s in template.steps:
        if known & {s.key, s.name.lower(), s.label_zh}:
            continue
        if s.advice:
            print("  " + s.advice.replace("\n", "\n  "), file=sys.stderr)
        label = s.word if s.required else _("{step} (optional)").format(step=s.word)
        while True:  # each answer checked as it is given, so a bad one does not cost the others
            answer = typer.prompt(label, default="", show_default=False, err=True)
            try:
                value = clean_text(answer, s.word, max_len=STEP_MAX)
            except BadInput as exc:
                print(_("not kept: {message}").format(message=exc.message), file=sys.stderr)
                continue
            if value or not s.required:
                break
            print(_("{step} is required for this template").format(step=s.word), file=sys.stderr)
        if value:
            given[s.key] = value
    return given


@commands.command("did")
def did(
    ctx: typer.Context,
    deal: DealArg,
    actions: Annotated[list[str], typer.Argument(metavar="ACTION...", help="Standard actions of the deal's stage, by key (send-quote) or name (发送正式报价).")],
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="How it was done.")] = None,
) -> None:
    """Record standard actions of the deal's current stage as done (its playbook; required ones are exit criteria)."""
    from salesflow.app.playbook import record_actions

    env = resolve(ctx)
    echo(record_actions(env.conn(), deal_id(deal), actions, env.act("did"), note=note))


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
