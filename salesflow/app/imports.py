"""`import deals|touches`: another system's history in one transaction, idempotent, with a dry run (§10).

The file streams through: each row is coerced (ingest), matched against lookups loaded once
(reps, customers, contacts, deal keys), and buffered; buffers go to SQLite with executemany inside
the command's single transaction. A bad row aborts the whole import with `FILE:LINE: …` — or, with
`--rejects`, is written there and left out. Unknown stages and owners are collected over the whole
file first, so the error lists every value to map at once. `--dry-run` runs the same import and
rolls it back, so its counts are exact.

Keys (idempotence): a `deal_id` column (this database's ids: a salesflow export) → else the file's
external id → else `row:` + a hash of customer, contact, title and created date, stored as the
external id. Criteria and the duplicate-lead rule are not applied: history comes in as it was.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from salesflow.app.context import Act, Outcome, RollBack, writes
from salesflow.app.setup import default_pipeline
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.domain.history import History, lost_reason, reason_words, stage_history
from salesflow.domain.pipeline import Pipeline
from salesflow.domain.text import clean_text, name_key, normalise_email
from salesflow.domain.vocabulary import GRADES, TOUCH_KIND_ALIASES, TOUCH_KINDS, UNKNOWN_REASON
from salesflow.ingest import parallel
from salesflow.ingest.files import Table, normalise_header, open_table
from salesflow.ingest.presets import ENTERED, UNITS, Columns, looks_like_header, parse_maps, parse_pairs, plan_columns
from salesflow.ingest.values import (check_date_format, check_region, handle_slug, import_amount, import_datetime,
                                     import_phone)
from salesflow.output.report import Column, Report
from salesflow.store import bulk, changes
from salesflow.store import imports as store
from salesflow.store.changes import Cmd
from salesflow.store.pipelines import load_pipeline, pipeline_keys

BATCH = 5_000
PREVIEW_ROWS = 20
DEFER_INDEXES_BYTES = 16 * 1024 * 1024  # above this, drop and rebuild secondary indexes (then ANALYZE)
BIG_FILE_BYTES = 4 * 1024 * 1024  # from this size on: a progress bar, and a deals file is read by a second process
DUPLICATE_CHOICES = ("update", "skip", "fail")

_DEAL_COLS = ("id", "title", "customer_id", "contact_id", "owner", "assigned_at", "pipeline", "stage", "status",
              "amount", "close_date", "source", "next_followup", "created_at", "stage_entered_at", "progressed_at",
              "closed_at", "lost_reason", "lost_from_stage", "external_id", "fields", "history", "guessed")
_COL = {name: i for i, name in enumerate(_DEAL_COLS)}  # a draft's row is a list in _DEAL_COLS order
_ID, _CUSTOMER_ID, _CONTACT_ID = _COL["id"], _COL["customer_id"], _COL["contact_id"]  # the ids `add` fills in
_EVENT_COLS = ("id", "deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced", "command_id")
_TOUCH_COLS = ("id", "deal_id", "kind", "at", "by", "contact_id", "notes", "outcome", "command_id")
_CUSTOMER_COLS = ("id", "name", "name_key", "grade", "industry", "created_at")
_CONTACT_COLS = ("id", "customer_id", "name", "phone", "email", "created_at")


@dataclass(frozen=True)
class ImportOptions:
    path: Path
    preset: str | None = None
    maps: tuple[str, ...] = ()
    stage_maps: tuple[str, ...] = ()
    status_maps: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    date_format: str | None = None
    amount_unit: str | None = None
    on_duplicate: str = "update"
    create_reps: bool = False
    dry_run: bool = False
    rejects: Path | None = None
    pipeline: str | None = None
    events: Path | None = None
    phone_region: str | None = None
    reason_maps: tuple[str, ...] = ()


def big_file(path: Path) -> bool:
    try:
        return path.stat().st_size >= BIG_FILE_BYTES
    except OSError:  # not there: opening it says so, in one line
        return False


class Ui(NamedTuple):
    """How the import shows it is working: `progress` a fraction 0…1 (a bar on stderr for big files)."""

    progress: Callable[[float], None] = lambda fraction: None


@dataclass
class Tally:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[tuple[int, list[str], str]] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    unknown: dict[str, Counter] = field(default_factory=dict)   # "stage" / "owner" / … → value → rows
    created_of: Counter = field(default_factory=Counter)        # reps, customers, contacts, stage events
    preview: list[dict[str, Any]] = field(default_factory=list)
    described: list[str] = field(default_factory=list)
    new_reps: list[str] = field(default_factory=list)


class Problem(BadInput):
    """A row that cannot be imported (its line is added by the caller)."""


class _Failed(NamedTuple):
    """A row `prepare` could not take, as a value (it may cross a pipe): unknown values, or a problem."""

    pairs: tuple[tuple[str, str], ...]
    message: str = ""
    hint: str | None = None

    def throw(self) -> None:
        if self.pairs:
            raise Unknown(*self.pairs)
        raise Problem(self.message, hint=self.hint)


class Unknown(Exception):
    """Values that need a mapping (a stage, an owner): collected over the file, reported together."""

    def __init__(self, *pairs: tuple[str, str]):
        super().__init__(pairs[0][0])
        self.pairs = pairs

    def __str__(self) -> str:
        return "; ".join(f"unknown {what} {value!r}" for what, value in self.pairs)


# --------------------------------------------------------------------------------------------------
# shared: options, the file, the summary


def _table(opts: ImportOptions, kind: str, maps: list[tuple[str, str]]) -> Table:
    return open_table(opts.path, encoding=opts.encoding, delimiter=opts.delimiter,
                      is_header=looks_like_header(kind, {source for source, _ in maps}))


def _describe(table: Table, cols: Columns) -> list[str]:
    """What was detected, for the summary (printed only when the import went through: errors stay one line)."""
    delim = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(table.delimiter or "", table.delimiter)
    how = f"{table.encoding}" + (f", {delim}-separated" if delim else "")
    preset = (f"preset {cols.preset.name}" + (" (detected from the header)" if cols.detected else "")) if cols.preset \
        else "no preset (--map only)"
    lines = [f"{table.path.name}: {how}, header on line {table.header_line}, {preset}"]
    if cols.unmapped:
        lines.append("not imported (no field): " + ", ".join(cols.unmapped[:12]) + (" …" if len(cols.unmapped) > 12 else ""))
    return lines


def _iso(moment: datetime | None) -> str | None:
    """iso() for the times a file gave (whole seconds already): the hot path of a million-row import."""
    return None if moment is None else moment.isoformat(timespec="seconds")


def _rep_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Normalised display name or handle -> handle (a handle wins when a name equals another rep's handle)."""
    known = store.reps(conn)
    names = {normalise_header(name): handle for handle, name in known}
    return names | {handle: handle for handle, _ in known}


def _first(cells: list[str], indexes: tuple[int, ...]) -> str | None:
    for i in indexes:
        if i < len(cells):
            value = cells[i].strip()
            if value:
                return value
    return None


def _amount_unit(opts: ImportOptions, cols: Columns) -> int | None:
    if opts.amount_unit is None:
        return cols.units.get("amount")
    raw = opts.amount_unit.strip().lower()
    if raw in UNITS:
        return UNITS[raw]
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    raise UsageProblem(f"amount unit {opts.amount_unit!r} is not a unit", hint="e.g. --amount-unit 万元, 千元, k or 10000")


def _problem_end(tally: Tally, path: Path, rejecting: bool) -> None:
    """After the last row: unknown values abort the import (unless rejected row by row), listing each
    with the option that maps it; a file with no data rows is an error too."""
    if tally.rows == 0:
        raise BadInput(f"{path.name} has a header but no data rows", hint="export the data again, with its rows")
    if rejecting or not tally.unknown:
        return
    details, hints = [], []
    for what, values in tally.unknown.items():
        listed = ", ".join(f"{v!r} ({n} row{'s' if n != 1 else ''})" for v, n in values.most_common(12))
        more = f" and {len(values) - 12} more" if len(values) > 12 else ""
        example = next(iter(values))
        hints.append({
            "stage": f"map each with --stage-map '{example}=STAGE' (a stage key of the pipeline, won or lost)",
            "status": f"map each with --status-map '{example}=open|won|lost'",
            "owner": "add them with salesflow rep add, or pass --create-reps",
            "pipeline": "use a pipeline key or name, or import into one with --pipeline KEY",
            "deal": "import the deals first, or check the deal id column",
            "touch kind": f"use --map to another column, or fix the values ({', '.join(TOUCH_KINDS)})",
            "lost reason": f"map each with --reason-map '{example}=KEY' (a lost-reason key of the pipeline, or unknown)",
        }[what])
        details.append(f"{what} ({len(values)}): {listed}{more}")
    kinds = " and ".join(tally.unknown)
    raise BadInput(f"{path.name}: unknown {kinds} values; nothing was imported", details=details, hint="; ".join(hints))


def _count_unknown(tally: Tally, unknown: Unknown) -> None:
    for what, value in unknown.pairs:
        tally.unknown.setdefault(what, Counter())[value] += 1


def _reject_or_raise(tally: Tally, opts: ImportOptions, line: int, cells: list[str], message: str,
                     hint: str | None = None) -> None:
    if opts.rejects is None:
        raise BadInput(f"{opts.path.name}:{line}: {message}; nothing was imported",
                       hint=hint or "fix the row, or pass --rejects FILE to import the rest")
    tally.rejected.append((line, cells, message))
    if len(tally.preview) < PREVIEW_ROWS:
        tally.preview.append({"line": line, "action": "reject", "note": message})


def _read_files(opts: ImportOptions) -> tuple[Path, ...]:
    return (opts.path,) + ((opts.events,) if opts.events else ())


def _check_rejects(opts: ImportOptions) -> None:
    """Before anything is imported: a --rejects file that cannot or must not be written is refused now,
    not after the import has committed."""
    if opts.rejects is not None:
        from salesflow.output.target import check_target

        check_target(opts.rejects, protect=_read_files(opts))


def _write_rejects(opts: ImportOptions, header: list[str], tally: Tally) -> None:
    if opts.rejects is None:
        return
    import csv

    from salesflow.output.emit import neutralise
    from salesflow.output.target import output_file

    # formula-neutralised like every csv salesflow writes: a rejects file is opened in a spreadsheet to fix it
    with output_file(opts.rejects, protect=_read_files(opts)) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["line", "reason", *(neutralise(h) for h in header)])
        for line, cells, reason in tally.rejected:
            writer.writerow([line, neutralise(reason), *(neutralise(c) for c in cells)])


def _summary(opts: ImportOptions, tally: Tally) -> Outcome:
    verb = "would import" if opts.dry_run else "imported"
    n = lambda k: f"{k:,}"  # noqa: E731
    line = (f"{verb} {opts.path.name}: {n(tally.rows)} rows → {n(tally.created)} created, {n(tally.updated)} updated,"
            f" {n(tally.unchanged)} unchanged, {n(tally.skipped)} skipped, {n(len(tally.rejected))} rejected")
    out = Outcome(lines=[line], notes=list(tally.described))
    made = ", ".join(f"{n(tally.created_of[k])} {k if tally.created_of[k] != 1 else k[:-1]}"
                     for k in ("reps", "customers", "contacts", "stage events") if tally.created_of[k])
    if made:
        out.lines.append(("would also create " if opts.dry_run else "also created ") + made)
    if tally.new_reps:
        out.notes.append("new reps: " + ", ".join(tally.new_reps[:8]) + (f" and {len(tally.new_reps) - 8} more" if len(tally.new_reps) > 8 else ""))
    for warning, count in sorted(tally.warnings.items()):
        out.notes.append(f"warning: {n(count)} row{'s' if count != 1 else ''}: {warning}")
    if tally.rejected and opts.rejects:
        out.notes.append(f"rejected rows {'would be' if opts.dry_run else 'were'} written to {opts.rejects} with their reasons")
    if opts.dry_run:
        out.notes.append("dry run: nothing was written")
    return out


def preview_report(kind: str, tally: Tally) -> Report:
    cols = [Column("line", "int"), Column("action"), Column("deal", "int")]
    if kind == "deals":
        cols += [Column("title"), Column("customer"), Column("owner"), Column("stage"), Column("status"),
                 Column("amount", "money")]
    else:
        cols += [Column("kind"), Column("at", "datetime"), Column("by")]
    return Report(f"Import preview (first {PREVIEW_ROWS} rows)", cols + [Column("note")], tally.preview,
                  empty="no data rows")


# --------------------------------------------------------------------------------------------------
# deals


class _Stages(NamedTuple):
    pipeline: Pipeline
    words: dict[str, str]   # normalised word -> stage key (open, won or lost stage of this pipeline)
    first: str              # (computed once: Pipeline's properties rebuild tuples on every call)
    closed: dict[str, str]  # won/lost -> the stage key
    reasons: dict[str, str]  # normalised lost-reason wording -> lost-reason key


def _stage_words(pipeline: Pipeline, preset_words: dict[str, str], user: dict[str, str],
                 user_reasons: dict[str, str]) -> _Stages:
    keys = {s.key for s in pipeline.stages}
    special = {"won": pipeline.won.key, "lost": pipeline.lost.key}
    words: dict[str, str] = {}
    for source, target in preset_words.items():
        target = special.get(target, target)
        if target in keys:
            words[source] = target
    for stage in pipeline.stages:
        for word in (stage.key, stage.name, stage.label_zh):
            words[normalise_header(word)] = stage.key
    for source, target in user.items():
        resolved = special.get(target.lower(), target)
        if resolved not in keys:
            raise UsageProblem(f"--stage-map target {target!r} is not a stage of pipeline {pipeline.key}",
                               hint="stages: " + ", ".join(s.key for s in pipeline.stages))
        words[source] = resolved
    for source, key in user_reasons.items():
        if key not in pipeline.lost_reasons and key != UNKNOWN_REASON:
            raise UsageProblem(f"--reason-map target {key!r} is not a lost reason of pipeline {pipeline.key}",
                               hint="reasons: " + ", ".join(pipeline.lost_reasons) + f", {UNKNOWN_REASON}")
    return _Stages(pipeline, words, pipeline.first.key, {"won": pipeline.won.key, "lost": pipeline.lost.key},
                   reason_words(pipeline.lost_reasons, user_reasons))


class _Draft(NamedTuple):
    """One row, checked and converted (by `draft`, in the reading process); `add` gives it ids and writes it."""

    key: str
    deal_id: int | None
    row: list[Any]                  # the deal row in _DEAL_COLS order; id, customer_id, contact_id filled by `add`
    entry: str                      # the open stage the deal was in (first stage when the file does not say)
    events: list                    # (from, to, at ISO) of its stage history (domain.history)
    new_owner: str | None           # an owner to create (--create-reps): only the writing process can
    customer: str | None
    customer_key: str | None        # name_key(customer)
    grade: str | None
    industry: str | None
    contact: str | None
    phone: str | None
    email: str | None

    def get(self, column: str) -> Any:
        return self.row[_COL[column]]

    def values(self) -> dict[str, Any]:
        return dict(zip(_DEAL_COLS, self.row))


class _DealImport:
    """One deals import, made inside its write transaction: every lookup below is read under the lock."""

    def __init__(self, conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, cols: Columns):
        self.conn, self.cmd, self.opts, self.act, self.cols = conn, cmd, opts, act, cols
        self.now = iso(act.now)
        self.tally = Tally()
        self.date_format = check_date_format(opts.date_format)
        self.unit = _amount_unit(opts, cols)
        self.region = check_region(opts.phone_region)
        preset = cols.preset
        user_stages = parse_pairs(list(opts.stage_maps), "--stage-map")
        user_reasons = parse_pairs(list(opts.reason_maps), "--reason-map")
        self.statuses = {"open": "open", "won": "won", "lost": "lost"} | dict(preset.statuses if preset else {})
        for source, target in parse_pairs(list(opts.status_maps), "--status-map").items():
            if target not in ("open", "won", "lost", "skip"):
                raise UsageProblem(f"--status-map target {target!r} is not a status", hint="open, won, lost or skip")
            self.statuses[source] = target
        self.default_pipeline = opts.pipeline or default_pipeline(conn)
        self.pipelines: dict[str, _Stages] = {}
        self.pipeline_words: dict[str, str] = {}
        for key in pipeline_keys(conn):
            p = load_pipeline(conn, key)
            self.pipelines[key] = _stage_words(p, preset.stages if preset else {}, user_stages, user_reasons)
            for word in (p.key, p.name, p.label_zh):
                self.pipeline_words[normalise_header(word)] = key
        if self.default_pipeline not in self.pipelines:
            raise UsageProblem(f"pipeline {self.default_pipeline!r} does not exist",
                               hint="pipelines: " + ", ".join(self.pipelines))
        self.reps = _rep_names(conn)
        self.customers = store.customers(conn)
        self.contacts = store.contacts(conn)
        self.keys = store.deal_keys(conn)
        self.ids = store.deal_ids(conn) if "deal_id" in cols.fields else set()
        self.next = {t: store.next_id(conn, t) for t in ("deal", "customer", "contact", "stage_event")}
        self.pending: dict[str, list[tuple]] = {t: [] for t in ("customer", "contact", "deal", "stage_event")}
        self.pending_deals: set[int] = set()  # created but not yet flushed: an update of one flushes first
        self.events = _read_events(opts, act) if opts.events else None
        self.entered = [(f, f[len(ENTERED):]) for f in cols.fields if f.startswith(ENTERED)]
        for target, word in self.entered:  # said once, before any row, for the default pipeline
            found = self.pipelines[self.default_pipeline].words.get(normalise_header(word))
            if found is None or not self.pipelines[self.default_pipeline].pipeline.stage(found).is_open:
                raise UsageProblem(f"--map target {target!r}: {word!r} is not an open stage of pipeline "
                                   f"{self.default_pipeline}",
                                   hint="stages: " + ", ".join(s.key for s in
                                                               self.pipelines[self.default_pipeline].pipeline.open_stages))
        self.singles = [(f, ix[0]) for f, ix in cols.fields.items() if len(ix) == 1]
        self.multis = [(f, ix) for f, ix in cols.fields.items() if len(ix) > 1]

    # one row ---------------------------------------------------------------------------------------

    def draft(self, cells: list[str]) -> _Draft | None:
        # every mapped field's cell, stripped, in one pass ("" = empty; a field not mapped is None)
        n = len(cells)
        got = {f: cells[i].strip() if i < n else "" for f, i in self.singles}
        for f, indexes in self.multis:
            got[f] = _first(cells, indexes) or ""
        get = got.get
        warn = self.tally.warnings
        pipeline_raw = get("pipeline")
        if pipeline_raw:
            key = self.pipeline_words.get(normalise_header(pipeline_raw))
            if key is None:
                raise Unknown(("pipeline", pipeline_raw))
        else:
            key = self.default_pipeline
        stages = self.pipelines[key]
        p = stages.pipeline

        status = None
        status_raw = get("status")
        if status_raw:
            status = self.statuses.get(normalise_header(status_raw))
            if status is None:
                raise Unknown(("status", status_raw))
            if status == "skip":
                warn["skipped: deleted in the source system"] += 1
                return None
        unknown: list[tuple[str, str]] = []
        stage_raw = get("stage")
        stage_key = None
        if stage_raw:
            stage_key = stages.words.get(normalise_header(stage_raw))
            if stage_key is None:
                unknown.append(("stage", stage_raw))
        stage = p.stage(stage_key) if stage_key else None
        if stage is not None and not stage.is_open:
            if status not in (None, stage.kind):
                raise Problem(f"stage {stage_raw!r} is {stage.kind} but status {status_raw!r} says {status}")
            status = stage.kind
        status = status or "open"

        owner = None
        owner_raw = get("owner")
        if owner_raw:
            owner = self.reps.get(normalise_header(owner_raw)) or self.reps.get(owner_raw)
            if owner is None:
                if not self.opts.create_reps:
                    unknown.append(("owner", owner_raw))
        if unknown:
            raise Unknown(*unknown)

        fmt = self.date_format
        created_raw = get("created_at")
        created = import_datetime(created_raw, fmt) if created_raw else None
        close_raw = get("close_date")
        close = import_datetime(close_raw, fmt).date() if close_raw else None
        closed_raw = get("closed_at")
        closed = import_datetime(closed_raw, fmt) if closed_raw and status != "open" else None
        now = self.act.now
        # A time the file does not give is filled in (the columns are never empty) and marked as guessed
        # (deal.guessed), so that no period report places the deal by it.
        closed_guessed = status != "open" and closed is None
        if closed_guessed:
            if close is not None:
                closed = datetime.combine(close, datetime.min.time())
                warn["won/lost without a close time: closed at the expected close date (in no period)"] += 1
            else:
                closed = now
                warn["won/lost without a close date: closed now (in no period)"] += 1
        if created is None:
            created = closed or (datetime.combine(close, datetime.min.time()) if close and close.isoformat() <= self.now[:10] else now)
            warn["no created date: used the close date, else now (in no period)"] += 1
        if created > now:
            raise Problem(f"created date {created_raw!r} is in the future (now is {iso(now)[:16].replace('T', ' ')})")
        if closed is not None:
            if closed > now:
                raise Problem(f"close date {closed_raw or close_raw!r} of a {status} deal is in the future")
            if closed < created:
                created = closed
                warn["closed before it was created: created date set to the close date"] += 1
        # an expected close date is only what the file says: a won row's actual close is not copied into it;
        # the dates the deal entered stages (entered:STAGE columns) are its stage history
        entered = {}
        for target, word in self.entered:
            raw = get(target)
            if raw:
                entered_key = stages.words.get(normalise_header(word))
                if entered_key is None or not p.stage(entered_key).is_open:
                    raise Problem(f"{target}: {word!r} is not an open stage of pipeline {p.key}")
                entered[entered_key] = import_datetime(raw, fmt)
        open_stage = stage.key if stage is not None and stage.is_open else None
        if status == "open" and not entered:  # the common row, without the general rule's work (a million rows)
            h = History([(None, open_stage or stages.first, created)], open_stage or stages.first, None, True)
            progressed = None
        else:
            h = stage_history(p, status=status, stage=open_stage, entered=entered, created=created, closed=closed)
            progressed = max((at for f, t, at in h.events if f is not None and p.is_progress(f, t)), default=None)
        if not h.known:
            warn["lost without saying how far it got: history unknown (left out of stage-reach reports)"] += 1
        entry = h.entry
        final = entry if status == "open" else stages.closed[status]

        reason = None
        if status == "lost":
            raw_reason = clean_text(get("lost_reason"), "lost reason", max_len=500)
            reason, recognised = lost_reason(stages.reasons, raw_reason)
            if not recognised:
                raise Unknown(("lost reason", raw_reason))
            if reason == UNKNOWN_REASON:
                warn["lost without a reason: reason 'unknown' (kept apart from 'other')"] += 1
        amount_raw = get("amount")
        amount = import_amount(amount_raw, self.unit) if amount_raw else 0
        customer = clean_text(get("customer"), "customer", max_len=200)
        title = clean_text(get("title"), "title", max_len=200)
        external = clean_text(get("external_id"), "external id", max_len=200)
        contact = clean_text(get("contact"), "contact", max_len=100)
        phone_raw = get("phone")
        phone = import_phone(clean_text(phone_raw, "phone", max_len=64), self.region) if phone_raw else None
        email_raw = get("email")
        email = None
        if email_raw:
            try:
                email = normalise_email(email_raw)
            except BadInput:
                email = clean_text(email_raw, "email", max_len=320)
                warn["email that does not look like an address: kept as written"] += 1
        grade_raw = get("grade")
        grade = grade_raw.strip().upper()[:1] if grade_raw else None
        if grade is not None and grade not in GRADES:
            raise Problem(f"grade {grade_raw!r} is not A, B or C")
        if customer is None:
            warn["no customer: imported without one"] += 1
        if title is None:
            title = customer or (f"deal {external}" if external else "(untitled)")
        deal_id_raw = get("deal_id")
        deal_id = None
        if deal_id_raw:
            digits = deal_id_raw.lstrip("#")
            if not digits.isdigit() or int(digits) == 0:
                raise Problem(f"deal id {deal_id_raw!r} is not a deal id")
            deal_id = int(digits)
        fields = self._fields(cells, get)
        key = f"id:{deal_id}" if deal_id else external or "row:" + hashlib.sha1(
            "\x1f".join(x or "" for x in (customer, contact, title, created_raw)).encode()).hexdigest()[:16]
        follow_raw = get("next_followup")
        follow = import_datetime(follow_raw, fmt) if follow_raw and status == "open" else None
        created_iso, closed_iso = _iso(created), _iso(closed)
        row = [  # _DEAL_COLS
            None, title, None, None, owner, created_iso if owner else None, p.key, final, status, amount,
            close.isoformat() if close else None, clean_text(get("source"), "source", max_len=100), _iso(follow),
            created_iso, _iso(h.events[-1][2]), _iso(progressed), closed_iso,
            reason if status == "lost" else None,
            h.lost_from, external if deal_id else key,
            json.dumps(fields, ensure_ascii=False, sort_keys=True) if fields else "{}",
            None if h.known else "unknown",
            " ".join(g for g in ("created" if not created_raw else "", "closed" if closed_guessed else "") if g) or None,
        ]
        new_owner = owner_raw if owner_raw and owner is None else None
        events = [(f, t, _iso(at)) for f, t, at in h.events]
        return _Draft(key, deal_id, row, entry, events, new_owner, customer, name_key(customer) if customer else None, grade,
                      clean_text(get("industry"), "industry", max_len=100), contact, phone, email)

    def _fields(self, cells: list[str], get) -> dict[str, str]:
        fields: dict[str, str] = {}
        raw = get("fields")
        if raw and raw != "{}":
            try:
                loaded = json.loads(raw)
            except ValueError:
                loaded = None
            if not isinstance(loaded, dict):
                raise Problem(f"fields {raw[:40]!r} is not a JSON object")
            fields.update({str(k): str(v) for k, v in loaded.items() if v not in (None, "")})
        for name, indexes in self.cols.fields.items():
            if name.startswith("fields."):
                value = clean_text(_first(cells, indexes), name, max_len=2000)
                if value:
                    fields[name.split(".", 1)[1]] = value
        return fields

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

    # writing ---------------------------------------------------------------------------------------

    def prepare(self, cells: list[str]) -> _Draft | _Failed | None:
        """The half of a row that needs no database (run in the reading process for big files)."""
        try:
            return self.draft(cells)
        except Unknown as unknown:
            return _Failed(unknown.pairs)
        except BadInput as bad:
            return _Failed((), bad.message, bad.hint)

    def take(self, line: int, cells: list[str] | None, draft: _Draft | None) -> None:
        if draft is None:
            self.tally.skipped += 1
        else:
            self.add(line, draft)

    def add(self, line: int, draft: _Draft) -> None:
        t = self.tally
        if draft.new_owner:
            owner = (self.reps.get(normalise_header(draft.new_owner)) or self.reps.get(draft.new_owner)
                     or self._create_rep(draft.new_owner))
            draft.row[_COL["owner"]], draft.row[_COL["assigned_at"]] = owner, draft.get("created_at")
        existing = self._existing(draft)
        if existing is not None:
            if self.opts.on_duplicate == "fail":
                raise Problem(f"deal {draft.key.removeprefix('id:')} already exists (#{existing})")
            if self.opts.on_duplicate == "skip":
                t.skipped += 1
                self._preview(line, "skip", existing, draft)
                return
            changed = self._update(existing, draft)
            if changed:
                t.updated += 1
            else:
                t.unchanged += 1
            self._preview(line, "update" if changed else "unchanged", existing, draft, ", ".join(changed))
            return
        deal_id = draft.deal_id or self._allocate("deal")
        if draft.deal_id:
            self.ids.add(deal_id)
        self.keys[draft.key] = deal_id
        row = draft.row
        row[_ID] = deal_id
        row[_CUSTOMER_ID] = customer_id = self._customer(draft)
        row[_CONTACT_ID] = self._contact(customer_id, draft)
        self.pending["stage_event"].extend(self._events_for(deal_id, draft))
        self.pending_deals.add(deal_id)
        self.pending["deal"].append(row)
        t.created += 1
        self._preview(line, "create", deal_id, draft)
        if len(self.pending["deal"]) >= BATCH:
            self.flush()

    def _existing(self, draft: _Draft) -> int | None:
        if draft.deal_id is not None:
            return draft.deal_id if draft.deal_id in self.ids else None
        return self.keys.get(draft.key)

    def _allocate(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        if table == "deal":
            while value in self.ids:  # ids a salesflow export brought in
                value = self.next[table]
                self.next[table] += 1
        return value

    def _customer(self, draft: _Draft) -> int | None:
        if draft.customer is None:
            return None
        key = draft.customer_key
        found = self.customers.get(key)
        if found is None:
            found = self._allocate("customer")
            self.customers[key] = found
            self.pending["customer"].append((found, draft.customer, key, draft.grade or "B", draft.industry,
                                             draft.get("created_at")))
            self.tally.created_of["customers"] += 1
        return found

    def _contact(self, customer_id: int | None, draft: _Draft) -> int | None:
        if customer_id is None or (draft.contact is None and draft.phone is None and draft.email is None):
            return None
        name = draft.contact or ""
        found = self.contacts.get((customer_id, name))
        if found is None:
            found = self._allocate("contact")
            self.contacts[(customer_id, name)] = found
            self.pending["contact"].append((found, customer_id, name, draft.phone, draft.email, draft.get("created_at")))
            self.tally.created_of["contacts"] += 1
        return found

    def _events_for(self, deal_id: int, draft: _Draft) -> list[tuple]:
        by, cmd_id, row = self.act.by, self.cmd.id, draft.row
        if self.events is not None and draft.deal_id in self.events:
            rows = self.events[draft.deal_id]
            v = draft.values()
            _history_into(v, rows, self.pipelines[v["pipeline"]].pipeline)
            v["history"] = None  # the events file tells it
            row[:] = [v[c] for c in _DEAL_COLS]
            made = [(self._allocate("stage_event"), deal_id, *e, cmd_id) for e in rows]
        else:
            lost = row[_COL["status"]] == "lost"
            made = [(self._allocate("stage_event"), deal_id, f, t, at, by,
                     row[_COL["lost_reason"]] if lost and i == len(draft.events) - 1 else "imported", 0, cmd_id)
                    for i, (f, t, at) in enumerate(draft.events)]
        self.tally.created_of["stage events"] += len(made)
        return made

    def _update(self, deal_id: int, draft: _Draft) -> list[str]:
        if deal_id in self.pending_deals:
            self.flush()
        row = store.deal_row(self.conn, deal_id)
        customer_id = self._customer(draft) if draft.customer else row["customer_id"]
        contact_id = self._contact(customer_id, draft) if customer_id else None
        if self.pending["customer"] or self.pending["contact"]:
            self.flush()
        v = draft.values()
        wanted = {"title": v["title"], "customer_id": customer_id, "contact_id": contact_id or row["contact_id"],
                  "owner": v["owner"] or row["owner"], "amount": v["amount"], "close_date": v["close_date"],
                  "source": v["source"] or row["source"], "next_followup": v["next_followup"],
                  "lost_reason": v["lost_reason"], "fields": v["fields"] if v["fields"] != "{}" else row["fields"],
                  "history": v["history"], "guessed": v["guessed"]}
        if wanted["owner"] != row["owner"]:
            wanted["assigned_at"] = self.now
        if v["stage"] != row["stage"]:
            p = self.pipelines[row["pipeline"]].pipeline
            at = v["closed_at"] or self.now
            wanted |= {"stage": v["stage"], "status": v["status"], "closed_at": v["closed_at"], "stage_entered_at": at}
            if v["status"] == "lost":
                wanted["lost_from_stage"] = row["stage"] if p.stage(row["stage"]).is_open else row["lost_from_stage"]
            if p.is_progress(row["stage"], v["stage"]):
                wanted["progressed_at"] = max(filter(None, (row["progressed_at"], at)))
            # its id from the same counter as the new rows' events (an INSERT here would take max(id) + 1,
            # an id already given to a new row's event still waiting in `pending`)
            self.pending["stage_event"].append((self._allocate("stage_event"), deal_id, row["stage"], v["stage"], at,
                                                self.act.by, "imported", 0, self.cmd.id))
            self.tally.created_of["stage events"] += 1
        return list(changes.update(self.conn, self.cmd, "deal", deal_id, wanted))

    def _preview(self, line: int, action: str, deal_id: int, draft: _Draft, note: str = "") -> None:
        if len(self.tally.preview) < PREVIEW_ROWS:
            v, customer = draft.values(), draft.customer
            self.tally.preview.append({"line": line, "action": action, "deal": deal_id, "title": v["title"],
                                       "customer": customer, "owner": v["owner"], "stage": v["stage"],
                                       "status": v["status"], "amount": v["amount"], "note": note})

    def flush(self) -> None:
        for table, columns in (("customer", _CUSTOMER_COLS), ("contact", _CONTACT_COLS), ("deal", _DEAL_COLS),
                               ("stage_event", _EVENT_COLS)):
            rows = self.pending[table]
            if rows:
                bulk.insert_many(self.conn, table, columns, rows)
                store.log_inserts(self.conn, self.cmd, table, [r[0] for r in rows])
                self.pending[table] = []
        self.pending_deals = set()


def import_deals(conn: sqlite3.Connection, opts: ImportOptions, act: Act, ui: Ui = Ui()) -> tuple[Outcome, Tally]:
    if opts.on_duplicate not in DUPLICATE_CHOICES:
        raise UsageProblem(f"--on-duplicate {opts.on_duplicate!r} is not a choice", hint="update, skip or fail")
    _check_rejects(opts)
    maps = parse_maps(list(opts.maps))
    table = _table(opts, "deals", maps)
    cols = plan_columns("deals", table.header, opts.preset, maps)
    big = opts.path.stat().st_size > DEFER_INDEXES_BYTES
    tally = _import_deals(conn, opts, act, table, cols, ui, big)
    if big and not opts.dry_run:
        bulk.checkpoint(conn)
    return _summary(opts, tally), tally


@writes
def _import_deals(conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, table: Table, cols: Columns,
                  ui: Ui, big: bool) -> Tally:
    job = _DealImport(conn, cmd, opts, act, cols)
    job.tally.described = _describe(table, cols)
    if big:
        bulk.big_cache(conn)
        with bulk.indexes_deferred(conn, ("deal", "stage_event", "customer", "contact", "change_log")):
            _rows(job, table, ui)
        bulk.analyze(conn)
    else:
        _rows(job, table, ui)
    _write_rejects(opts, table.header, job.tally)  # before the commit: if it cannot be written, nothing is imported
    if opts.dry_run:
        raise RollBack(job.tally)
    return job.tally


def _rows(job: _DealImport | _TouchImport, table: Table, ui: Ui) -> None:
    """Every data row through `job.prepare` then `job.take`; bad rows raise or go to --rejects; unknown values
    are collected. A big deals file is prepared in a second process (ingest.parallel) while this one writes."""
    t, opts = job.tally, job.opts
    fork = isinstance(job, _DealImport) and parallel.can_fork() and big_file(opts.path)
    warnings, before = t.warnings, Counter(t.warnings)  # the child's counts come back at the end
    batches = parallel.prepared(table, job.prepare, fork=fork, keep_cells=opts.rejects is not None,
                                state=lambda: warnings - before, absorb=warnings.update)
    for batch, fraction in batches:
        for line, cells, prepared in batch:
            t.rows += 1
            try:
                if type(prepared) is _Failed:
                    prepared.throw()
                job.take(line, cells, prepared)
            except Unknown as unknown:
                _count_unknown(t, unknown)
                if opts.rejects is not None:
                    _reject_or_raise(t, opts, line, cells, str(unknown))
            except BadInput as bad:
                _reject_or_raise(t, opts, line, cells, bad.message, bad.hint)
        ui.progress(fraction)
    job.flush()
    ui.progress(1.0)
    _problem_end(t, opts.path, rejecting=opts.rejects is not None)


# --------------------------------------------------------------------------------------------------
# stage history for a restore (`--events`, the columns of `export stage-events`)


def _read_events(opts: ImportOptions, act: Act) -> dict[int, list[tuple]]:
    table = open_table(opts.events, encoding=opts.encoding, is_header=lambda cells: "deal_id" in cells)
    need = ("deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced")
    index = {name: i for i, name in enumerate(table.header)}
    missing = [n for n in need if n not in index]
    if missing:
        raise BadInput(f"{opts.events.name}: not a stage-events export (missing {', '.join(missing)})",
                       hint="write it with: salesflow export stage-events -o FILE")
    events: dict[int, list[tuple]] = {}
    for line, cells in table.rows:
        try:
            get = lambda n: cells[index[n]].strip() if index[n] < len(cells) else ""  # noqa: E731
            deal = int(get("deal_id").lstrip("#"))
            at = iso(import_datetime(get("at"), None))
            forced = 1 if get("forced").lower() in ("true", "1", "yes") else 0
        except (ValueError, BadInput) as exc:
            raise BadInput(f"{opts.events.name}:{line}: {getattr(exc, 'message', 'not a stage event')}") from None
        events.setdefault(deal, []).append((get("from_stage") or None, get("to_stage"), at, get("by") or act.by,
                                            get("reason") or None, forced))
    return events


def _history_into(values: dict[str, Any], events: list[tuple], pipeline: Pipeline) -> None:
    """With the real history at hand, the derived times follow from it (as `advance` would have set them)."""
    last_at = None
    keys = {s.key for s in pipeline.stages}
    for from_stage, to_stage, at, *_ in events:
        last_at = at
        if to_stage in keys and (from_stage in keys or from_stage is None) and pipeline.is_progress(from_stage, to_stage):
            values["progressed_at"] = max(filter(None, (values.get("progressed_at"), at)))
        if to_stage == pipeline.lost.key:
            values["lost_from_stage"] = from_stage
    if last_at:
        values["stage_entered_at"] = last_at


# --------------------------------------------------------------------------------------------------
# touches


class _TouchImport:
    """One touches import, made inside its write transaction (like _DealImport)."""

    def __init__(self, conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, cols: Columns):
        self.conn, self.cmd, self.opts, self.act, self.cols = conn, cmd, opts, act, cols
        self.tally = Tally()
        self.date_format = check_date_format(opts.date_format)
        self.kinds = dict(cols.preset.kinds if cols.preset else {})
        self.kinds.update({k: k for k in TOUCH_KINDS} | TOUCH_KIND_ALIASES)
        if opts.stage_maps or opts.status_maps or opts.events or opts.reason_maps:
            raise UsageProblem("--stage-map, --status-map, --reason-map and --events apply to import deals")
        self.keys = store.deal_keys(conn)
        self.ids = store.deal_ids(conn)
        self.reps = _rep_names(conn)
        self.contacts = store.contacts(conn)
        self.seen: set[tuple] = set()
        self.next = store.next_id(conn, "touch")
        self.pending: list[tuple] = []

    def prepare(self, cells: list[str]) -> list[str]:
        return cells  # a touch needs the database all along (its deal, the touches already there)

    def take(self, line: int, cells: list[str], _: list[str]) -> None:
        get = lambda f: _first(cells, self.cols.fields[f]) if f in self.cols.fields else None  # noqa: E731
        t = self.tally
        deal_raw, ext = get("deal_id"), get("deal_external_id")
        deal_id = None
        if deal_raw:
            digits = deal_raw.lstrip("#")
            deal_id = int(digits) if digits.isdigit() and int(digits) in self.ids else None
        elif ext:
            deal_id = self.keys.get(ext)
        if deal_id is None:
            if not deal_raw and not ext:
                raise Problem("no deal id or deal external id")
            raise Unknown(("deal", deal_raw or ext))
        kind_raw = get("kind")
        kind = self.kinds.get(normalise_header(kind_raw)) if kind_raw else "note"
        if kind is None:
            raise Unknown(("touch kind", kind_raw))
        at_raw = get("at")
        if not at_raw:
            raise Problem("no touch time")
        at = import_datetime(at_raw, self.date_format)
        if at > self.act.now:
            raise Problem(f"touch time {at_raw!r} is in the future")
        by_raw = get("by")
        by = (self.reps.get(normalise_header(by_raw)) or clean_text(by_raw, "by", max_len=100)) if by_raw else self.act.by
        notes = clean_text(get("notes"), "notes")
        outcome = clean_text(get("outcome"), "outcome", max_len=500)
        contact = clean_text(get("contact"), "contact", max_len=100)
        contact_id = self._contact(deal_id, contact) if contact else None
        natural = (deal_id, kind, iso(at), notes)
        if natural in self.seen or store.touch_exists(self.conn, deal_id, kind, iso(at), notes):
            t.skipped += 1
            self._preview(line, "skip", deal_id, kind, at, by, "already there")
            return
        self.seen.add(natural)
        touch_id = self.next
        self.next += 1
        self.pending.append((touch_id, deal_id, kind, iso(at), by, contact_id, notes, outcome, self.cmd.id))
        t.created += 1
        self._preview(line, "create", deal_id, kind, at, by, "")
        if len(self.pending) >= BATCH:
            self.flush()

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
        if len(self.tally.preview) < PREVIEW_ROWS:
            self.tally.preview.append({"line": line, "action": action, "deal": deal_id, "kind": kind, "at": iso(at),
                                       "by": by, "note": note})

    def flush(self) -> None:
        if self.pending:
            bulk.insert_many(self.conn, "touch", _TOUCH_COLS, self.pending)
            store.log_inserts(self.conn, self.cmd, "touch", [r[0] for r in self.pending])
            self.pending = []


def import_touches(conn: sqlite3.Connection, opts: ImportOptions, act: Act, ui: Ui = Ui()) -> tuple[Outcome, Tally]:
    _check_rejects(opts)
    maps = parse_maps(list(opts.maps))
    table = _table(opts, "touches", maps)
    cols = plan_columns("touches", table.header, opts.preset, maps)
    if "deal_id" not in cols.fields and "deal_external_id" not in cols.fields:
        raise BadInput(f"{opts.path.name}: no column says which deal a touch belongs to",
                       hint="map one with --map 'Column=deal_id' (this database's ids) or 'Column=deal_external_id'")
    tally = _import_touches(conn, opts, act, table, cols, ui)
    return _summary(opts, tally), tally


@writes
def _import_touches(conn: sqlite3.Connection, cmd: Cmd, opts: ImportOptions, act: Act, table: Table, cols: Columns,
                    ui: Ui) -> Tally:
    job = _TouchImport(conn, cmd, opts, act, cols)
    job.tally.described = _describe(table, cols)
    _rows(job, table, ui)
    _write_rejects(opts, table.header, job.tally)  # before the commit: if it cannot be written, nothing is imported
    if opts.dry_run:
        raise RollBack(job.tally)
    return job.tally
