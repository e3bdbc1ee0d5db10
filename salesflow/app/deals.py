"""Deals: `lead add`, `set`, moving through the pipeline (`advance`, `win`, `lose`, `reopen`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from salesflow.app.context import Act, Outcome, RollBack, writes
from salesflow.app.currency import currency_of, typed_amount
from salesflow.app.reps import resolve_owner
from salesflow.app.setup import default_pipeline
from salesflow.domain.criteria import Unmet, unmet_entry
from salesflow.domain.dates import iso, parse_when
from salesflow.domain.errors import BadInput, Refused
from salesflow.domain.money import format_amount
from salesflow.domain.moves import Move, plan_move, plan_reopen
from salesflow.domain.records import Deal
from salesflow.domain.vocabulary import GRADES
from salesflow.domain.text import clean_text, name_key, normalise_email
from salesflow.ingest.values import check_region, normalise_phone
from salesflow.store import changes
from salesflow.store import deals as store
from salesflow.store.changes import Cmd
from salesflow.store.pipelines import load_pipeline
from salesflow.i18n import _


@dataclass(frozen=True)
class LeadInput:
    company: str
    contact: str | None = None
    phone: str | None = None
    email: str | None = None
    source: str | None = None
    grade: str | None = None
    owner: str | None = None
    title: str | None = None
    amount: str | None = None
    close: str | None = None
    next: str | None = None
    pipeline: str | None = None
    industry: str | None = None
    allow_duplicate: bool = False
    phone_region: str | None = None  # a phone without +code is read as this country's (default CN)


_LEAD_FIX = {
    "customer": "give the company name as the first argument",
    "contact": "add --contact NAME",
    "phone": "add --phone P or --email E",
    "email": "add --email E",
    "source": "add --source S (e.g. referral, website, expo)",
    "title": "add --title TEXT",
    "amount": "add --amount A",
    "close_date": "add --close DATE",
    "owner": "add --owner REP",
}


def parse_grade(value: str) -> str:
    grade = value.strip().upper()
    if grade not in GRADES:
        raise BadInput(_("grade {value!r} is not a grade").format(value=value), hint=_("grades are A, B and C"))
    return grade


@writes
def add_lead(conn: sqlite3.Connection, cmd: Cmd, lead: LeadInput, act: Act) -> Outcome:
    out = Outcome()
    pipeline = load_pipeline(conn, lead.pipeline or default_pipeline(conn))
    company = clean_text(lead.company, _("company name"), max_len=200) or ""
    contact = clean_text(lead.contact, _("contact name"), max_len=100)
    phone = normalise_phone(lead.phone, check_region(lead.phone_region)) if lead.phone else None
    email = normalise_email(lead.email)
    source = clean_text(lead.source, "source", max_len=100)
    title = clean_text(lead.title, "title", max_len=200) or company
    grade = parse_grade(lead.grade) if lead.grade else None
    owner = resolve_owner(conn, lead.owner)
    amount, original = typed_amount(lead.amount, currency_of(conn)) if lead.amount is not None else (0, {})
    close = parse_when(lead.close, act.now) if lead.close else None
    follow = parse_when(lead.next, act.now) if lead.next else None
    industry = clean_text(lead.industry, "industry", max_len=100)

    existing = store.find_customer(conn, name_key(company)) if company else None
    draft = Deal(
        id=0, title=title, customer=company, pipeline=pipeline.key, stage=pipeline.first.key, status="open",
        created_at=act.now, stage_entered_at=act.now, contact=contact, phone=phone, email=email, owner=owner,
        amount=amount, close_date=close.day if close else None, source=source,
        grade=grade or (existing["grade"] if existing else "B"),
    )
    unmet = unmet_entry(draft, pipeline.first, pipeline, lambda f: _LEAD_FIX.get(f, _("set {f} after creating the lead").format(f=f)))
    if unmet:
        raise Refused(_("the lead cannot be added: {count} of stage {key} unmet").format(count=_count(unmet), key=pipeline.first.key),
                      details=[f"{u.criterion} — {u.fix}" for u in unmet])
    if not lead.allow_duplicate:
        dups = store.open_duplicates(conn, pipeline.key, phone, email, existing["id"] if existing else None)
        if dups:
            d = dups[0]
            raise Refused(
                _("duplicate: #{id} ({customer}, {stage}, owner {value}) has the same {matched}").format(id=d['id'], customer=d['customer'], stage=d['stage'], value=d['owner'] or 'unassigned', matched=d['matched']) + (_(" (and {n} more)").format(n=len(dups) - 1) if len(dups) > 1 else ""),
                hint=_("add --allow-duplicate to create it anyway"),
            )

    customer_id = _customer(conn, cmd, company, grade, industry, act.now)
    contact_id = ensure_contact(conn, cmd, customer_id, contact, phone, email, act.now)
    deal_id = changes.insert(conn, cmd, "deal", {
        "title": title, "customer_id": customer_id, "contact_id": contact_id, "owner": owner,
        "assigned_at": iso(act.now) if owner else None,
        "pipeline": pipeline.key, "stage": pipeline.first.key, "status": "open", "amount": amount,
        "close_date": close.day.isoformat() if close else None, "source": source,
        "next_followup": iso(follow.at) if follow else None, "created_at": iso(act.now),
        "stage_entered_at": iso(act.now),
        "fields": json.dumps(original, ensure_ascii=False, sort_keys=True) if original else "{}",
    })
    changes.insert(conn, cmd, "stage_event", {
        "deal_id": deal_id, "from_stage": None, "to_stage": pipeline.first.key, "at": iso(act.now),
        "by": act.by, "forced": 0, "command_id": cmd.id,
    })
    first = pipeline.first.word
    out.lines.append(f"#{deal_id} {company} — " + (_("{stage}, owner {owner}").format(stage=first, owner=owner) if owner
                                                    else _("{stage}, unassigned").format(stage=first)))
    if close:
        out.notes.append(_("expected close: {echo}").format(echo=close.echo()))
        if close.day < act.now.date():
            out.notes.append(_("warning: the expected close date is in the past"))
    if follow:
        out.notes.append(_("next follow-up: {echo}").format(echo=follow.echo()))
    return out


def _count(unmet: list[Unmet]) -> str:
    return f"{len(unmet)} criteri{'a' if len(unmet) > 1 else 'on'}"


def _customer(conn: sqlite3.Connection, cmd: Cmd, name: str, grade: str | None, industry: str | None,
              now: datetime) -> int:
    row = store.find_customer(conn, name_key(name))
    if row is None:
        return changes.insert(conn, cmd, "customer", {
            "name": name, "name_key": name_key(name), "grade": grade or "B", "industry": industry,
            "created_at": iso(now)})
    update = {k: v for k, v in (("grade", grade), ("industry", industry)) if v is not None}
    if update:
        changes.update(conn, cmd, "customer", row["id"], update)
    return row["id"]


def ensure_contact(conn: sqlite3.Connection, cmd: Cmd, customer_id: int, name: str | None, phone: str | None,
                   email: str | None, now: datetime) -> int | None:
    """The customer's contact by name (created if new; phone/email updated when given)."""
    if name is None:
        name = ""
        if phone is None and email is None:
            return None
    row = store.find_contact(conn, customer_id, name)
    if row is None:
        return changes.insert(conn, cmd, "contact", {
            "customer_id": customer_id, "name": name, "phone": phone, "email": email, "created_at": iso(now)})
    update = {k: v for k, v in (("phone", phone), ("email", email)) if v is not None}
    if update:
        changes.update(conn, cmd, "contact", row["id"], update)
    return row["id"]


# ---------------------------------------------------------------------------------------------
# set DEAL field=value …

SETTABLE = ("title", "amount", "close", "grade", "owner", "source", "customer", "contact", "phone", "email")
_ALIASES = {"close_date": "close", "expected_close": "close", "decision-maker": "decision_maker"}


@writes
def set_fields(conn: sqlite3.Connection, cmd: Cmd, deal_id: int, assignments: list[str], act: Act,
               phone_region: str | None = None) -> Outcome:
    deal = store.get_deal(conn, deal_id)
    pipeline = load_pipeline(conn, deal.pipeline)
    if not assignments:
        raise BadInput(_("nothing to set"), hint=_("e.g. salesflow set {deal_id} amount=12万 close=eom budget=50万").format(deal_id=deal_id))
    parsed: list[tuple[str, str]] = []
    for item in assignments:
        name, sep, value = item.partition("=")
        name = _ALIASES.get(name.strip().lower(), name.strip().lower())
        if not sep or not name:
            raise BadInput(_("{item!r} is not field=value").format(item=item), hint=_("e.g. salesflow set {deal_id} budget=50万").format(deal_id=deal_id))
        if name in ("stage", "status", "pipeline"):
            raise BadInput(_("{name} is changed by moving the deal, not by set").format(name=name),
                           hint=_("use: salesflow advance {deal_id} STAGE, win, lose or reopen").format(deal_id=deal_id))
        if name not in SETTABLE and name not in pipeline.field_keys():
            from salesflow.domain.choose import suggest

            guess = suggest(name, SETTABLE + pipeline.field_keys())
            raise BadInput(_("{name!r} is not a field of deals in pipeline {key}").format(name=name, key=pipeline.key)
                           + (_(" — did you mean {guess}?").format(guess=guess) if guess else ""),
                           hint=_("fields: ") + ", ".join(SETTABLE + pipeline.field_keys()))
        parsed.append((name, value))

    out = Outcome()
    deal_changes: dict = {}
    process = dict(deal.fields)
    customer_changes: dict = {}
    contact_changes: dict = {}
    new_customer: str | None = None
    new_contact: str | None = None
    for name, value in parsed:
        if name == "title":
            deal_changes["title"] = clean_text(value, "title", max_len=200, required=True)
        elif name == "amount":
            deal_changes["amount"], original = typed_amount(value, currency_of(conn)) if value.strip() else (0, {})
            for key in ("currency", "amount_original"):  # the original of an earlier converted amount no longer holds
                process.pop(key, None)
            process |= original
        elif name == "close":
            when = parse_when(value, act.now) if value.strip() else None
            deal_changes["close_date"] = when.day.isoformat() if when else None
            if when:
                out.notes.append(_("expected close: {echo}").format(echo=when.echo()))
                if when.day < act.now.date():
                    out.notes.append(_("warning: the expected close date is in the past"))
        elif name == "owner":
            deal_changes["owner"] = resolve_owner(conn, value)
            if deal_changes["owner"] != deal.owner:
                deal_changes["assigned_at"] = iso(act.now) if deal_changes["owner"] else None
        elif name == "source":
            deal_changes["source"] = clean_text(value, "source", max_len=100)
        elif name == "grade":
            customer_changes["grade"] = parse_grade(value)
        elif name == "customer":
            new_customer = clean_text(value, "customer", max_len=200, required=True)
        elif name == "contact":
            new_contact = clean_text(value, "contact", max_len=100, required=True)
        elif name == "phone":
            contact_changes["phone"] = normalise_phone(value, check_region(phone_region))
        elif name == "email":
            contact_changes["email"] = normalise_email(value)
        else:
            text = clean_text(value, name)
            if text is None:
                process.pop(name, None)
            else:
                process[name] = text
    if process != dict(deal.fields):
        deal_changes["fields"] = json.dumps(process, ensure_ascii=False, sort_keys=True)

    customer_id = deal.customer_id
    if new_customer is not None:
        customer_id = _customer(conn, cmd, new_customer, None, None, act.now)
        deal_changes["customer_id"] = customer_id
    if customer_changes:
        if customer_id is None:
            raise BadInput(_("#{deal_id} has no customer to grade").format(deal_id=deal_id), hint=_("set one first: salesflow set {deal_id} customer=…").format(deal_id=deal_id))
        changes.update(conn, cmd, "customer", customer_id, customer_changes)
    contact_id = deal.contact_id
    if (new_contact is not None or contact_changes) and customer_id is None:
        raise BadInput(_("#{deal_id} has no customer to hold a contact").format(deal_id=deal_id), hint=_("set one first: salesflow set {deal_id} customer=…").format(deal_id=deal_id))
    if new_contact is not None:
        contact_id = ensure_contact(conn, cmd, customer_id, new_contact, None, None, act.now)
        deal_changes["contact_id"] = contact_id
    if contact_changes:
        if contact_id is None:
            contact_id = ensure_contact(conn, cmd, customer_id, None, contact_changes.get("phone"),
                                  contact_changes.get("email"), act.now)
            deal_changes["contact_id"] = contact_id
        changes.update(conn, cmd, "contact", contact_id, contact_changes)
    if deal_changes:
        changes.update(conn, cmd, "deal", deal_id, deal_changes)
    after = store.get_deal(conn, deal_id)
    shown = []
    for name, _value in parsed:
        before_value, after_value = _display(deal, name), _display(after, name)
        if before_value != after_value:
            shown.append(f"{name} {before_value} → {after_value}")
    out.lines.append(f"#{deal_id}: " + ("; ".join(shown) if shown else _("nothing changed")))
    return out


def _display(deal: Deal, name: str) -> str:
    if name == "amount":
        return format_amount(deal.amount)
    value = deal.close_date if name == "close" else deal.value(name)
    return "—" if value is None or value == "" else str(value)


# ---------------------------------------------------------------------------------------------
# advance / win / lose / reopen


@dataclass(frozen=True)
class MoveRequest:
    target: str | None  # None for reopen
    force: bool = False
    reason: str | None = None
    lost_reason: str | None = None
    note: str | None = None
    dry_run: bool = False
    reopen: bool = False


@writes
def move_deal(conn: sqlite3.Connection, cmd: Cmd, deal_id: int, req: MoveRequest, act: Act) -> Outcome:
    deal = store.get_deal(conn, deal_id)
    pipeline = load_pipeline(conn, deal.pipeline)
    reason = clean_text(req.reason, "reason", max_len=2000)
    note = clean_text(req.note, "note")
    if req.reopen:
        move = plan_reopen(pipeline, deal, reason=reason, force=req.force)
    else:
        lost_reason = req.lost_reason.strip() if req.lost_reason else None
        from salesflow.app.playbook import done_keys

        move = plan_move(pipeline, deal, req.target or "", store.touches_for(conn, deal_id),
                         force=req.force, reason=reason, lost_reason=lost_reason, done=done_keys(conn, deal))
    out = Outcome()
    arrow = f"#{deal_id}: {pipeline.stage(move.from_stage).word} → {pipeline.stage(move.to_stage).word}"
    forced = _(" (forced)") if move.forced else ""
    if req.dry_run:
        out.lines.append(_("dry run: {arrow} is allowed").format(arrow=arrow) + forced)
        out.notes.extend(_("would force past: {criterion}").format(criterion=u.criterion) for u in move.overridden)
        raise RollBack(out)
    _apply(conn, cmd, deal, move, act.now, note)
    out.lines.append(arrow + forced)
    out.notes.extend(_("forced past: {criterion}").format(criterion=u.criterion) for u in move.overridden)
    return out


def _apply(conn: sqlite3.Connection, cmd: Cmd, deal: Deal, move: Move, now: datetime, note: str | None) -> None:
    update: dict = {"stage": move.to_stage, "status": move.status, "stage_entered_at": iso(now)}
    if move.forward:
        # the latest forward move, as a rebuild from the events says (MAX(at)): a command whose --now is
        # earlier than one that committed before it (two reps at once, or a back-dated --now) keeps the later
        update["progressed_at"] = max(filter(None, (store.progressed_at(conn, deal.id), iso(now))))
    if move.status != "lost":  # open again, or won (a lost deal won with --force): no loss to remember
        update["lost_reason"] = None
        if deal.status == "lost":
            update["lost_from_stage"] = None
    if move.status == "open":
        update["closed_at"] = None
    else:
        update |= {"closed_at": iso(now), "next_followup": None}
    if move.status == "lost":
        update |= {"lost_reason": move.lost_reason, "lost_from_stage": move.from_stage}
    changes.update(conn, cmd, "deal", deal.id, update)
    reason = move.reason
    if move.status == "lost":
        reason = move.lost_reason + (f": {note or move.reason}" if (note or move.reason) else "")
    changes.insert(conn, cmd, "stage_event", {
        "deal_id": deal.id, "from_stage": move.from_stage, "to_stage": move.to_stage, "at": iso(now),
        "by": cmd.by, "reason": reason, "forced": int(move.forced), "command_id": cmd.id,
    })

