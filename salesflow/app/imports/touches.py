"""`import touches`: calls, visits and notes of deals already here, matched by deal id or external id.

A touch is the same touch when its deal, kind, time and notes are (its natural key): re-importing a file
adds nothing.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from salesflow.app.context import Act, Outcome, writes
from salesflow.app.imports import common
from salesflow.app.imports.common import ImportOptions, Problem, Tally, Ui, Unknown
from salesflow.app.imports.deals import ROLE_HINT, rep_names
from salesflow.app.imports.writer import Writer
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.domain.text import clean_text
from salesflow.domain.vocabulary import TOUCH_KIND_ALIASES, TOUCH_KINDS
from salesflow.ingest.files import Table, normalise_header
from salesflow.ingest.presets import Columns, parse_maps, plan_columns
from salesflow.ingest.values import check_date_format, import_datetime
from salesflow.store import access, changes
from salesflow.store import imports as store
from salesflow.store.changes import Cmd
from salesflow.i18n import _


def import_touches(conn: sqlite3.Connection, opts: ImportOptions, act: Act, ui: Ui = Ui()) -> tuple[Outcome, Tally]:
    if opts.stage_maps or opts.status_maps or opts.events or opts.reason_maps or opts.rates:
        raise UsageProblem(_("--stage-map, --status-map, --reason-map, --rate and --events apply to import deals"))
    common.check_rejects(opts)
    maps = parse_maps(list(opts.maps))
    table = common.open_file(opts, "touches", maps)
    cols = plan_columns("touches", table.header, opts.preset, maps)
    if "deal_id" not in cols.fields and "deal_external_id" not in cols.fields:
        raise BadInput(_("{name}: no column says which deal a touch belongs to").format(name=opts.path.name),
                       hint=_("map one with --map 'Column=deal_id' (this database's ids) or 'Column=deal_external_id'"))
    tally = _import(conn, opts, act, table, cols, ui)
    return common.summary(opts, tally), tally


@writes
def _import(conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, table: Table, cols: Columns,
            ui: Ui) -> Tally:
    return common.run_job(conn, TouchImport(conn, cmd, opts, act, cols), table, cols, ui)


class TouchImport:
    """One touches import, made inside its write transaction (like deals.DealImport)."""

    def __init__(self, conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, cols: Columns):
        self.conn, self.cmd, self.opts, self.act, self.cols = conn, cmd, opts, act, cols
        self.tally = Tally()
        self.date_format = check_date_format(opts.date_format)
        self.kinds = dict(cols.preset.kinds if cols.preset else {})
        self.kinds.update({k: k for k in TOUCH_KINDS} | TOUCH_KIND_ALIASES)
        self.keys = store.deal_keys(conn)
        self.ids = store.deal_ids(conn)
        self.reach = access.reach(conn)  # a rep's role on PostgreSQL sees its own deals only
        self.reps = rep_names(conn)
        self.contacts = store.contacts(conn)
        self.seen: set[tuple] = set()
        self.writer = Writer(conn, cmd, ("touch",))

    def take(self, line: int, cells: list[str]) -> None:
        get = lambda f: common.first(cells, self.cols.fields[f]) if f in self.cols.fields else None  # noqa: E731
        t = self.tally
        deal_raw, ext = get("deal_id"), get("deal_external_id")
        deal_id = None
        if deal_raw:
            deal_id = _number(deal_raw) if _number(deal_raw) in self.ids else None
        elif ext:
            deal_id = self.keys.get(ext)
        if deal_id is None:
            if not deal_raw and not ext:
                raise Problem(_("no deal id or deal external id"))
            if self.reach is not None and access.deal_taken(self.conn, _number(deal_raw), None if deal_raw else ext):
                raise Problem(_("deal {key} is owned by a rep your database role cannot see").format(key=deal_raw or ext),
                              hint=_(ROLE_HINT))
            raise Unknown(("deal", deal_raw or ext))
        kind_raw = get("kind")
        kind = self.kinds.get(normalise_header(kind_raw)) if kind_raw else "note"
        if kind is None:
            raise Unknown((_("touch kind"), kind_raw))
        at_raw = get("at")
        if not at_raw:
            raise Problem(_("no touch time"))
        at = import_datetime(at_raw, self.date_format)
        if at > self.act.now:
            raise Problem(_("touch time {at_raw!r} is in the future").format(at_raw=at_raw))
        by_raw = get("by")
        by = (self.reps.get(normalise_header(by_raw)) or clean_text(by_raw, "by", max_len=100)) if by_raw else self.act.by
        notes = clean_text(get("notes"), "notes")
        outcome = clean_text(get("outcome"), "outcome", max_len=500)
        contact = clean_text(get("contact"), "contact", max_len=100)
        contact_id = self._contact(deal_id, contact) if contact else None
        natural = (deal_id, kind, iso(at), notes)
        if natural in self.seen or store.touch_exists(self.conn, deal_id, kind, iso(at), notes):
            t.skipped += 1
            self._preview(line, "skip", deal_id, kind, at, by, _("already there"))
            return
        self.seen.add(natural)
        self.writer.add("touch", (self.writer.allocate("touch"), deal_id, kind, iso(at), by, contact_id, notes, outcome,
                                  self.cmd.id))
        t.created += 1
        self._preview(line, "create", deal_id, kind, at, by, "")

    def flush(self) -> None:
        self.writer.flush()

    def _contact(self, deal_id: int, name: str) -> int | None:
        row = store.deal_row(self.conn, deal_id)
        customer_id = row["customer_id"]
        if customer_id is None:
            return None
        found = self.contacts.get((customer_id, name))
        if found is None:
            found = changes.insert(self.conn, self.cmd, "contact", {"customer_id": customer_id, "name": name,
                                                                    "created_at": iso(self.act.now)})
            self.contacts[(customer_id, name)] = found
            self.tally.created_of["contacts"] += 1
        return found

    def _preview(self, line: int, action: str, deal_id: int, kind: str, at: datetime, by: str, note: str) -> None:
        if len(self.tally.preview) < common.PREVIEW_ROWS:
            self.tally.preview.append({"line": line, "action": action, "deal": deal_id, "kind": kind, "at": iso(at),
                                       "by": by, "note": note})


def _number(deal_raw: str | None) -> int | None:
    """A deal id as typed (`42`, `#42`), or None."""
    digits = (deal_raw or "").lstrip("#")
    return int(digits) if digits.isdigit() else None
