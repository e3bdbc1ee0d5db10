"""Deals: `lead add`, `set`, `advance`, `win`, `lose`, `reopen`, `deals`, `show`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from salesflow.cli import complete
from salesflow.cli.app import command_module, sub_app
from salesflow.cli.env import echo, resolve
from salesflow.cli.options import DealArg, Format, FormatOpt, OutputOpt, deal_id
from salesflow.i18n import _

commands = command_module()
lead_app = sub_app("lead", "Add leads (new deals in the pipeline's first stage).")

ReasonOpt = Annotated[Optional[str], typer.Option("--reason", help="Why: required for backward moves, --force and reopen.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Override skipped stages, unmet criteria or a closed deal (needs --reason).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Only check: list unmet criteria, move nothing.")]


@lead_app.command("add")
def lead_add(
    ctx: typer.Context,
    company: Annotated[str, typer.Argument(help="Customer (company) name, e.g. 华为技术有限公司.")],
    contact: Annotated[Optional[str], typer.Option("--contact", help="Contact person's name.")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="Contact phone (normalised, e.g. +8613800138000).")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Contact email.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Channel the lead came from, e.g. referral, expo, website.")] = None,
    grade: Annotated[Optional[str], typer.Option("--grade", help="Customer grade A, B or C (sets the follow-up SLA; default B).")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", autocompletion=complete.reps, help="Owning rep (handle or name); omitted = unassigned.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Deal title; default: the company name.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="Amount: 120000, 120,000, 12万, 1.2亿, 15k, 1.5m, ¥120,000.")] = None,
    close: Annotated[Optional[str], typer.Option("--close", help="Expected close date, e.g. 2026-12-20, eom, 月底.")] = None,
    next_: Annotated[Optional[str], typer.Option("--next", help="First follow-up, e.g. tomorrow, fri, 下周五, +3d.")] = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="Pipeline key; default: the database's default.")] = None,
    industry: Annotated[Optional[str], typer.Option("--industry", help="Customer industry.")] = None,
    allow_duplicate: Annotated[bool, typer.Option("--allow-duplicate", help="Create it even if the phone, email or customer has an open deal.")] = False,
) -> None:
    """Add a lead. Prints the new deal id first (`#42 …`); the lead stage's entry criteria apply."""
    from salesflow.app.deals import LeadInput, add_lead

    env = resolve(ctx)
    lead = LeadInput(company=company, contact=contact, phone=phone, email=email, source=source, grade=grade,
                     owner=owner, title=title, amount=amount, close=close, next=next_, pipeline=pipeline,
                     industry=industry, allow_duplicate=allow_duplicate, phone_region=env.phone_region)
    echo(add_lead(env.conn(), lead, env.act("lead add")))


@commands.command("set")
def set_(
    ctx: typer.Context,
    deal: DealArg,
    assignments: Annotated[list[str], typer.Argument(metavar="FIELD=VALUE...",
                                                     help="e.g. amount=12万 close=eom budget=50万 owner=wang (empty value clears).")],
) -> None:
    """Change deal fields (amount, close, grade, owner, title, source, customer, contact, phone, email, process fields)."""
    from salesflow.app.deals import set_fields

    env = resolve(ctx)
    echo(set_fields(env.conn(), deal_id(deal), assignments, env.act("set"), phone_region=env.phone_region))


def _move(ctx: typer.Context, deal: str, name: str, **request) -> None:
    from salesflow.app.deals import MoveRequest, move_deal

    env = resolve(ctx)
    echo(move_deal(env.conn(), deal_id(deal), MoveRequest(**request), env.act(name)))


@commands.command("advance")
def advance(
    ctx: typer.Context,
    deal: DealArg,
    stage: Annotated[str, typer.Argument(help="Target stage: key, name or Chinese label, e.g. proposal, 方案报价.",
                                         autocompletion=complete.stages)],
    dry_run: DryRunOpt = False, force: ForceOpt = False, reason: ReasonOpt = None,
) -> None:
    """Move a deal to another stage; exit and entry criteria are checked, every unmet one listed."""
    _move(ctx, deal, "advance", target=stage, force=force, reason=reason, dry_run=dry_run)


@commands.command("win")
def win(ctx: typer.Context, deal: DealArg, dry_run: DryRunOpt = False, force: ForceOpt = False, reason: ReasonOpt = None) -> None:
    """Mark a deal won (from the last open stage, else --force)."""
    _move(ctx, deal, "win", target="won", force=force, reason=reason, dry_run=dry_run)


@commands.command("lose")
def lose(
    ctx: typer.Context,
    deal: DealArg,
    reason: Annotated[str, typer.Option("--reason", autocompletion=complete.lost_reasons,
                                        help="Lost reason: a key (price, competitor, no-budget, no-decision, timing, bad-fit, unresponsive, other), its label (价格) or a wording (Too expensive).")],
    note: Annotated[Optional[str], typer.Option("--note", help="Free text, e.g. which competitor.")] = None,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Lose a won deal (needs --note as the reason).")] = False,
) -> None:
    """Mark a deal lost from any open stage, with one of the pipeline's lost reasons."""
    _move(ctx, deal, "lose", target="lost", lost_reason=reason, note=note, dry_run=dry_run, force=force, reason=note)


@commands.command("reopen")
def reopen(ctx: typer.Context, deal: DealArg, reason: ReasonOpt = None,
           force: Annotated[bool, typer.Option("--force", help="Reopen a won deal.")] = False) -> None:
    """Return a lost deal to the stage it was lost from (a won deal needs --force)."""
    _move(ctx, deal, "reopen", target=None, reason=reason, force=force, reopen=True)


@commands.command("deals")
def deals_(
    ctx: typer.Context,
    rep: Annotated[Optional[str], typer.Option("--rep", autocompletion=complete.reps, help="Only this owner (handle or name); '-' = unassigned.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", autocompletion=complete.stages, help="Only this stage (key, name or label, any case, a prefix).")] = None,
    status: Annotated[str, typer.Option("--status", help="open, won, lost or all.")] = "open",
    grade: Annotated[Optional[str], typer.Option("--grade", help="Only this customer grade (A, B, C).")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Only this source.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Customer name contains TEXT (case-insensitive).")] = None,
    pipeline: Annotated[Optional[str], typer.Option("--pipeline", help="Only this pipeline.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """List deals. csv/json columns are those of `export deals` (see README)."""
    from salesflow.app.views import DealQuery, deals_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    query = DealQuery(rep=rep, stage=stage, status=status.lower(), grade=grade, source=source,
                      customer=customer, pipeline=pipeline)
    emit(deals_report(env.conn(), query), fmt.value, env.style(), output)


@commands.command("show")
def show(
    ctx: typer.Context,
    deal: DealArg,
    fmt: Annotated[Format, typer.Option("-f", "--format", help="table or json.", case_sensitive=False)] = Format.table,
) -> None:
    """A deal's card (customer, contact, owner, stage and days in it, amount, …) and its timeline."""
    from salesflow.app.views import card_json, show_deal

    env = resolve(ctx)
    card = show_deal(env.conn(), deal_id(deal), env.now)
    if fmt == Format.json:
        from salesflow.output.emit import to_json

        print(to_json(card_json(card), indent="  "))
    elif fmt == Format.table:
        from salesflow.output.card import render_card

        render_card(card, env.style(), sys.stdout)
    else:
        from salesflow.domain.errors import UsageProblem

        raise UsageProblem(_("show supports -f table or json, not {value}").format(value=fmt.value))
