"""Touches and follow-ups: `touch`, `note`, `followup`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from salesflow.app.context import Act, Outcome, writes
from salesflow.app.deals import ensure_contact
from salesflow.domain.dates import iso, parse_when
from salesflow.domain.errors import BadInput, Refused
from salesflow.domain.vocabulary import TOUCH_KIND_ALIASES, TOUCH_KINDS
from salesflow.domain.text import clean_text
from salesflow.store import changes
from salesflow.store import deals as store
from salesflow.store.changes import Cmd
from salesflow.i18n import _


def parse_kind(value: str) -> str:
    kind = TOUCH_KIND_ALIASES.get(value.strip(), value.strip().lower())
    if kind not in TOUCH_KINDS:
        raise BadInput(_("touch kind {value!r} is not a kind").format(value=value), hint=_("kinds: ") + ", ".join(TOUCH_KINDS))
    return kind


@writes
def log_touch(conn: sqlite3.Connection, cmd: Cmd, deal_id: int, kind: str | None, act: Act, *, note: str | None = None,
              at: str | None = None, next: str | None = None, contact: str | None = None,
              outcome: str | None = None, did: Sequence[str] = (), template: str | None = None,
              steps: dict[str, str] | None = None) -> Outcome:
    """`did`: standard actions of the deal's stage this touch did; `template` with `steps`: a touch template's
    step results (every required step given)."""
    from salesflow.app.playbook import mark_done, said_done, step_results, still_open
    from salesflow.store.pipelines import load_pipeline

    deal = store.get_deal(conn, deal_id)
    pipeline = load_pipeline(conn, deal.pipeline) if (did or template or steps) else None
    used = pipeline.find_template(template) if template else None
    if steps and used is None:
        raise BadInput(_("--step needs --template"), hint=_("e.g. salesflow touch {deal_id} --template five-step --step needs=…").format(deal_id=deal_id))
    results = step_results(used, steps or {}) if used else None
    if kind is None:
        if used is None:
            raise BadInput(_("--kind is needed"), hint=_("kinds: ") + ", ".join(TOUCH_KINDS))
        kind = used.kind
    kind = parse_kind(kind)
    notes = clean_text(note, "note")
    result = clean_text(outcome, "outcome", max_len=200)
    contact_name = clean_text(contact, _("contact name"), max_len=100)
    out = Outcome()
    when = parse_when(at, act.now, direction="past") if at else None
    moment = when.at if when else act.now
    if moment > act.now:
        raise BadInput(_("--at {at!r} is in the future; a touch records what happened").format(at=at),
                       hint=_("plan it instead: salesflow followup {deal_id} {at}").format(deal_id=deal_id, at=at))
    follow = parse_when(next, act.now) if next else None
    if follow and not deal.is_open:
        raise Refused(_("#{deal_id} is {status}; follow-ups are for open deals").format(deal_id=deal_id, status=deal.status),
                      hint=_("reopen it first: salesflow reopen {deal_id} --reason …").format(deal_id=deal_id))
    contact_id = deal.contact_id
    if contact_name is not None:
        if deal.customer_id is None:
            raise BadInput(_("#{deal_id} has no customer to hold a contact").format(deal_id=deal_id))
        contact_id = ensure_contact(conn, cmd, deal.customer_id, contact_name, None, None, act.now)
    touch_id = changes.insert(conn, cmd, "touch", {
        "deal_id": deal_id, "kind": kind, "at": iso(moment), "by": act.by, "contact_id": contact_id,
        "notes": notes, "outcome": result, "command_id": cmd.id,
        **({"template": used.key, "steps": json.dumps(results, ensure_ascii=False)} if used else {}),
    })
    done = ([], [])
    if did:
        if moment < deal.stage_entered_at:
            raise BadInput(_("--did: the touch at {at:%Y-%m-%d %H:%M} is before #{deal_id} entered {stage}; an action counts for the stage it was done in").format(
                at=moment, deal_id=deal_id, stage=pipeline.stage(deal.stage).word),
                hint=_("record it without --at, or with: salesflow did {deal_id} …").format(deal_id=deal_id))
        done = mark_done(conn, cmd, deal, pipeline, did, moment, touch_id=touch_id, notes=notes)
    update = {}
    if deal.next_followup is not None and deal.next_followup <= moment:
        update["next_followup"] = None
        out.notes.append(_("follow-up due {next_followup:%Y-%m-%d %H:%M} is done").format(next_followup=deal.next_followup))
    if follow:
        update["next_followup"] = iso(follow.at)
    if update:
        changes.update(conn, cmd, "deal", deal_id, update)
    out.lines.append(_("touch {touch_id} on #{deal_id}: {kind}").format(touch_id=touch_id, deal_id=deal_id, kind=kind) + (f" at {moment:%Y-%m-%d %H:%M}" if when else ""))
    if when:
        out.notes.append(_("touch time: {echo}").format(echo=when.echo()))
    if follow:
        out.notes.append(_("next follow-up: {echo}").format(echo=follow.echo()))
    if used:
        out.notes.append(_("{template}: {n} of {total} steps recorded").format(template=used.word, n=len(results), total=len(used.steps)))
    if did:
        said_done(out, deal, pipeline.stage(deal.stage), *done, still_open(conn, deal_id))
    return out


@writes
def add_note(conn: sqlite3.Connection, cmd: Cmd, touch_id: int, text: str, act: Act) -> Outcome:
    touch = store.get_touch(conn, touch_id)
    addition = clean_text(text, "note", required=True)
    notes = f"{touch.notes}\n{addition}" if touch.notes else addition
    changes.update(conn, cmd, "touch", touch_id, {"notes": notes})
    return Outcome(lines=[_("note added to touch {touch_id} on #{deal_id}").format(touch_id=touch_id, deal_id=touch.deal_id)])


@writes
def schedule_followup(conn: sqlite3.Connection, cmd: Cmd, deal_id: int, when_text: str, act: Act) -> Outcome:
    deal = store.get_deal(conn, deal_id)
    if not deal.is_open:
        raise Refused(_("#{deal_id} is {status}; follow-ups are for open deals").format(deal_id=deal_id, status=deal.status),
                      hint=_("reopen it first: salesflow reopen {deal_id} --reason …").format(deal_id=deal_id))
    when = parse_when(when_text, act.now)
    changes.update(conn, cmd, "deal", deal_id, {"next_followup": iso(when.at)})
    out = Outcome(lines=[_("#{deal_id}: next follow-up {echo}").format(deal_id=deal_id, echo=when.echo())])
    if when.at < act.now:
        out.notes.append(_("warning: that is in the past, so it is already overdue"))
    return out


def parse_touch_id(text: str) -> int:
    raw = text.strip()
    if not raw.isdigit() or len(raw) > 18 or int(raw) == 0:
        raise BadInput(_("{text!r} is not a touch id").format(text=text), hint=_("touch ids are shown by: salesflow show DEAL"))
    return int(raw)
