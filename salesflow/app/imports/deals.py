"""`import deals`: each row through the rules (`rules.draft`), matched against what is here, then written.

Matching (idempotence): a `deal_id` column (this database's ids: a salesflow export) → else the file's
external id → else `row:` + a hash of customer, contact, title and created date, stored as the external
id. A match is updated (or skipped, or refused: --on-duplicate). Criteria and the duplicate-lead rule
are not applied: history comes in as it was.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from typing import Any

from salesflow.app.context import Act, Outcome, writes
from salesflow.app.currency import Currency, currency_of, parse_rates
from salesflow.app.imports import common, rules
from salesflow.app.imports.common import ImportOptions, Problem, Tally, Ui
from salesflow.app.imports.events import history_into, read_events
from salesflow.app.imports.plan import make_plan
from salesflow.app.imports.writer import Writer
from salesflow.app.setup import default_pipeline
from salesflow.domain.dates import iso
from salesflow.domain.errors import Refused, UsageProblem
from salesflow.domain.text import clean_text
from salesflow.ingest.files import Table, normalise_header
from salesflow.ingest.presets import Columns, parse_maps, plan_columns
from salesflow.ingest.values import check_date_format, check_region, handle_slug
from salesflow.store import access, bulk, changes
from salesflow.store import imports as store
from salesflow.store.changes import Cmd
from salesflow.store.pipelines import load_pipeline, pipeline_keys
from salesflow.i18n import N_, _

DEFER_INDEXES_BYTES = 16 * 1024 * 1024  # above this, drop and rebuild secondary indexes (then ANALYZE)
DUPLICATE_CHOICES = ("update", "skip", "fail")


ROLE_HINT = N_("pass --rejects FILE to import the rows that are yours, or ask an admin to import the file")


def import_deals(conn: sqlite3.Connection, opts: ImportOptions, act: Act, ui: Ui = Ui()) -> tuple[Outcome, Tally]:
    if opts.on_duplicate not in DUPLICATE_CHOICES:
        raise UsageProblem(_("--on-duplicate {on_duplicate!r} is not a choice").format(on_duplicate=opts.on_duplicate), hint=_("update, skip or fail"))
    common.check_rejects(opts)
    maps = parse_maps(list(opts.maps))
    table = common.open_file(opts, "deals", maps)
    cols = plan_columns("deals", table.header, opts.preset, maps)
    big = opts.path.stat().st_size > DEFER_INDEXES_BYTES
    tally = _import(conn, opts, act, table, cols, ui, big)
    if big and not opts.dry_run:
        bulk.checkpoint(conn)
    return common.summary(opts, tally), tally


@writes
def _import(conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, table: Table, cols: Columns,
            ui: Ui, big: bool) -> Tally:
    job = DealImport(conn, cmd, opts, act, cols)
    defer = ("deal", "stage_event", "customer", "contact", "change_log") if big else ()
    return common.run_job(conn, job, table, cols, ui, defer=defer)


class DealImport:
    """One deals import, made inside its write transaction: every lookup below is read under the lock."""

    def __init__(self, conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, cols: Columns):
        self.conn, self.cmd, self.opts, self.act, self.cols = conn, cmd, opts, act, cols
        self.now = iso(act.now)
        self.tally = Tally()
        self.plan = make_plan(
            [load_pipeline(conn, key) for key in pipeline_keys(conn)],
            load_pipeline(conn, opts.pipeline).key if opts.pipeline else default_pipeline(conn), cols,
            stage_maps=opts.stage_maps, status_maps=opts.status_maps, reason_maps=opts.reason_maps, now=act.now,
            date_format=check_date_format(opts.date_format), unit=common.amount_unit(opts, cols),
            region=check_region(opts.phone_region), create_reps=opts.create_reps, currency=_currency(conn, opts))
        self.reach = access.reach(conn)  # a rep's role on PostgreSQL: the owners it may write deals for
        if self.reach is not None and opts.create_reps:
            raise Refused(_("--create-reps adds reps, and only an admin's database role may add reps"),
                          hint=_("ask an admin to add them (salesflow rep add), or to run this import"))
        self.reps = rep_names(conn)
        self.customers = store.customers(conn)
        self.contacts = store.contacts(conn)
        self.keys = store.deal_keys(conn)
        self.ids = store.deal_ids(conn) if "deal_id" in cols.fields else set()
        self.writer = Writer(conn, cmd, ("customer", "contact", "deal", "stage_event"), self.ids)
        self.events = read_events(opts, act) if opts.events else None
        self.singles = [(f, ix[0]) for f, ix in cols.fields.items() if len(ix) == 1]
        self.multis = [(f, ix) for f, ix in cols.fields.items() if len(ix) > 1]

    def take(self, line: int, cells: list[str]) -> None:
        n = len(cells)
        row = {f: cells[i].strip() if i < n else "" for f, i in self.singles}
        for f, indexes in self.multis:
            row[f] = common.first(cells, indexes) or ""
        draft = rules.draft(row, self.plan, self.reps, self.tally.warnings)
        if draft is None:
            self.tally.skipped += 1
        else:
            self.add(line, draft)

    def add(self, line: int, draft: rules.Draft) -> None:
        t = self.tally
        owner = draft.owner
        if draft.new_owner:
            owner = rules.owner_of(draft.new_owner, self.reps) or self._create_rep(draft.new_owner)
        existing = self._existing(draft)
        other = self.keys.get(draft.external_id) if draft.deal_id and draft.external_id else None
        if existing is None and other is not None:  # a new deal_id, with the external id of a deal here
            raise Problem(_("external id {external} is deal #{other}'s, not a new deal {deal_id}'s").format(
                external=draft.external_id, other=other, deal_id=draft.deal_id),
                hint=_("drop the deal_id column to match rows by external id, or fix the row"))
        if self.reach is not None:
            self._within_reach(draft, owner, existing)
        if existing is not None:
            if self.opts.on_duplicate == "fail":
                raise Problem(_("deal {removeprefix} already exists (#{existing})").format(removeprefix=draft.key.removeprefix('id:'), existing=existing))
            if self.opts.on_duplicate == "skip":
                t.skipped += 1
                self._preview(line, "skip", existing, draft, owner)
                return
            changed = self._update(existing, draft, owner)
            if changed:
                t.updated += 1
            else:
                t.unchanged += 1
            self._preview(line, "update" if changed else "unchanged", existing, draft, owner, ", ".join(changed))
            return
        w = self.writer
        deal_id = draft.deal_id or w.allocate("deal")
        if draft.deal_id:
            self.ids.add(deal_id)
        self.keys[draft.key] = deal_id
        if draft.deal_id and draft.external_id:
            self.keys.setdefault(draft.external_id, deal_id)
        customer_id = self._customer(draft)
        contact_id = self._contact(customer_id, draft)
        draft, events = self._events_for(deal_id, draft)
        for event in events:
            w.add("stage_event", event)
        t.created_of["stage events"] += len(events)
        w.add("deal", deal_row(draft, deal_id, customer_id, contact_id, owner))
        t.created += 1
        self._preview(line, "create", deal_id, draft, owner)

    def flush(self) -> None:
        self.writer.flush()

    # matching ----------------------------------------------------------------------------------------

    def _within_reach(self, draft: rules.Draft, owner: str | None, existing: int | None) -> None:
        """A row a rep's role may not write is rejected by name, not left to fail the whole import on a policy
        or on the unique index of a deal it cannot see."""
        if owner is not None and owner not in self.reach.owners:
            raise Problem(_("owner {owner}: your database role may not write that rep's deals").format(owner=owner),
                          hint=_(ROLE_HINT))
        if existing is None and access.deal_taken(self.conn, draft.deal_id, draft.external_id):
            raise Problem(_("deal {key} is already here, owned by a rep your database role cannot see").format(
                key=draft.deal_id or draft.key.removeprefix("id:")), hint=_(ROLE_HINT))

    def _existing(self, draft: rules.Draft) -> int | None:
        if draft.deal_id is not None:
            return draft.deal_id if draft.deal_id in self.ids else None
        return self.keys.get(draft.key)

    def _customer(self, draft: rules.Draft) -> int | None:
        if draft.customer is None:
            return None
        found = self.customers.get(draft.customer_key)
        if found is None:
            found = self.writer.allocate("customer")
            self.customers[draft.customer_key] = found
            self.writer.add("customer", (found, draft.customer, draft.customer_key, draft.grade or "B",
                                         draft.industry, draft.created_at))
            self.tally.created_of["customers"] += 1
        return found

    def _contact(self, customer_id: int | None, draft: rules.Draft) -> int | None:
        if customer_id is None or (draft.contact is None and draft.phone is None and draft.email is None):
            return None
        name = draft.contact or ""
        found = self.contacts.get((customer_id, name))
        if found is None:
            found = self.writer.allocate("contact")
            self.contacts[(customer_id, name)] = found
            self.writer.add("contact", (found, customer_id, name, draft.phone, draft.email, draft.created_at))
            self.tally.created_of["contacts"] += 1
        return found

    def _create_rep(self, name: str) -> str:
        clean = clean_text(name, "owner", max_len=100) or name
        base = handle_slug(clean)
        handle, n = base, 2
        while handle in self.reps.values() or handle in self.reps:
            handle, n = f"{base[:29]}-{n}", n + 1
        changes.insert(self.conn, self.cmd, "rep", {"handle": handle, "name": clean, "created_at": self.now})
        self.reps[normalise_header(clean)] = handle
        self.reps[handle] = handle
        self.tally.created_of["reps"] += 1
        self.tally.new_reps.append(f"{handle} ({clean})")
        return handle

    # writing -----------------------------------------------------------------------------------------

    def _events_for(self, deal_id: int, draft: rules.Draft) -> tuple[rules.Draft, list[tuple]]:
        """The new deal's stage events: the --events file's (a restore), else the history the row told."""
        by, cmd_id, alloc = self.act.by, self.cmd.id, self.writer.allocate
        if self.events is not None and draft.deal_id in self.events:
            rows = self.events[draft.deal_id]
            told = history_into(rows, self.plan.pipelines[draft.pipeline].pipeline, draft.progressed_at)
            draft = dataclasses.replace(draft, history=None, **told)  # the events file tells it
            return draft, [(alloc("stage_event"), deal_id, *e, cmd_id) for e in rows]
        lost = draft.status == "lost"
        last = len(draft.events) - 1
        return draft, [(alloc("stage_event"), deal_id, f, t, at, by,
                        draft.lost_reason if lost and i == last else "imported", 0, cmd_id)
                       for i, (f, t, at) in enumerate(draft.events)]

    def _update(self, deal_id: int, draft: rules.Draft, owner: str | None) -> list[str]:
        if deal_id in self.writer.pending_ids:
            self.flush()
        row = store.deal_row(self.conn, deal_id)
        customer_id = self._customer(draft) if draft.customer else row["customer_id"]
        contact_id = self._contact(customer_id, draft) if customer_id else None
        if self.writer.pending["customer"] or self.writer.pending["contact"]:
            self.flush()
        wanted: dict[str, Any] = {
            "title": draft.title, "customer_id": customer_id, "contact_id": contact_id or row["contact_id"],
            "owner": owner or row["owner"], "amount": draft.amount, "close_date": draft.close_date,
            "source": draft.source or row["source"], "next_followup": draft.next_followup,
            "lost_reason": draft.lost_reason, "fields": _merged_fields(row["fields"], draft.fields),
            "history": draft.history, "guessed": draft.guessed,
            "last_activity_at": draft.last_activity_at or row["last_activity_at"]}
        if wanted["owner"] != row["owner"]:
            wanted["assigned_at"] = self.now
        if draft.stage != row["stage"]:
            p = self.plan.pipelines[row["pipeline"]].pipeline
            at = draft.closed_at or self.now
            wanted |= {"stage": draft.stage, "status": draft.status, "closed_at": draft.closed_at,
                       "stage_entered_at": at}
            if draft.status == "lost":
                wanted["lost_from_stage"] = row["stage"] if p.stage(row["stage"]).is_open else row["lost_from_stage"]
            if p.is_progress(row["stage"], draft.stage):
                wanted["progressed_at"] = max(filter(None, (row["progressed_at"], at)))
            # its id from the same counter as the new rows' events (an INSERT here would take max(id) + 1,
            # an id already given to a new row's event still waiting in the writer)
            self.writer.add("stage_event", (self.writer.allocate("stage_event"), deal_id, row["stage"], draft.stage, at,
                                            self.act.by, "imported", 0, self.cmd.id))
            self.tally.created_of["stage events"] += 1
        return list(changes.update(self.conn, self.cmd, "deal", deal_id, wanted))

    def _preview(self, line: int, action: str, deal_id: int, draft: rules.Draft, owner: str | None,
                 note: str = "") -> None:
        if len(self.tally.preview) < common.PREVIEW_ROWS:
            self.tally.preview.append({"line": line, "action": action, "deal": deal_id, "title": draft.title,
                                       "customer": draft.customer, "owner": owner, "stage": draft.stage,
                                       "status": draft.status, "amount": draft.amount, "note": note})


def _merged_fields(stored: str | None, imported: str) -> str:
    """A re-import adds and changes process fields, never drops the ones set here since; a converted
    amount's original (currency, amount_original) is the file's to say, so it follows the file."""
    fields = json.loads(stored or "{}")
    for key in ("currency", "amount_original"):
        fields.pop(key, None)
    fields.update(json.loads(imported))
    return json.dumps(fields, ensure_ascii=False, sort_keys=True) if fields else "{}"


def deal_row(d: rules.Draft, deal_id: int, customer_id: int | None, contact_id: int | None,
             owner: str | None) -> tuple:
    """The deal table's row (writer.DEAL_COLS order) for a new deal."""
    return (deal_id, d.title, customer_id, contact_id, owner, d.created_at if owner else None, d.pipeline, d.stage,
            d.status, d.amount, d.close_date, d.source, d.next_followup, d.created_at, d.stage_entered_at,
            d.progressed_at, d.closed_at, d.lost_reason, d.lost_from_stage, d.external_id, d.fields, d.history,
            d.guessed, d.last_activity_at, d.review_from)


def _currency(conn: sqlite3.Connection, opts: ImportOptions) -> Currency:
    cur = currency_of(conn)
    return cur.with_rates(parse_rates(opts.rates, cur.code)) if opts.rates else cur


def rep_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Normalised display name or handle -> handle (a handle wins when a name equals another rep's handle)."""
    known = store.reps(conn)
    names = {normalise_header(name): handle for handle, name in known}
    return names | {handle: handle for handle, _ in known}
