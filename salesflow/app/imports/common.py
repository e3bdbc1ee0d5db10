"""What both imports share: the options, the tally, the row loop, the rejects file and the summary."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from salesflow.app.context import Outcome, RollBack
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.ingest.files import Table, open_table
from salesflow.ingest.presets import UNITS, Columns, looks_like_header
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.i18n import N_, _

PREVIEW_ROWS = 20
BIG_FILE_BYTES = 4 * 1024 * 1024  # from this size on, a progress bar
PROGRESS_ROWS = 1_000


@dataclass(frozen=True, kw_only=True)
class ImportOptions:
    path: Path
    preset: str | None = None
    maps: tuple[str, ...] = ()          # --map SRC=FIELD, in the order given (the first non-empty value wins)
    stage_maps: tuple[str, ...] = ()
    status_maps: tuple[str, ...] = ()
    reason_maps: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()         # --rate USD=7.10
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


class Unknown(Exception):
    """Values that need a mapping (a stage, an owner): collected over the file, reported together."""

    def __init__(self, *pairs: tuple[str, str]):
        super().__init__(pairs[0][0])
        self.pairs = pairs

    def __str__(self) -> str:
        return "; ".join(f"unknown {what} {value!r}" for what, value in self.pairs)


class Job(Protocol):
    opts: ImportOptions
    tally: Tally

    def take(self, line: int, cells: list[str]) -> None: ...

    def flush(self) -> None: ...


# --------------------------------------------------------------------------------------------------
# the file


def open_file(opts: ImportOptions, kind: str, maps: list[tuple[str, str]]) -> Table:
    return open_table(opts.path, encoding=opts.encoding, delimiter=opts.delimiter,
                      is_header=looks_like_header(kind, {source for source, _ in maps}))


def describe(table: Table, cols: Columns) -> list[str]:
    """What was detected, for the summary (printed only when the import went through: errors stay one line)."""
    delim = {",": N_("comma-separated"), ";": N_("semicolon-separated"), "\t": N_("tab-separated"),
             "|": N_("bar-separated")}.get(table.delimiter or "")
    how = table.encoding + (_(", ") + _(delim) if delim else (_(", ") + table.delimiter if table.delimiter else ""))
    preset = (f"preset {cols.preset.name}" + (_(" (detected from the header)") if cols.detected else "")) if cols.preset \
        else _("no preset (--map only)")
    lines = [_("{name}: {how}, header on line {header_line}, {preset}").format(name=table.path.name, how=how, header_line=table.header_line, preset=preset)]
    if cols.unmapped:
        lines.append(_("not imported (no field): ") + ", ".join(cols.unmapped[:12]) + (" …" if len(cols.unmapped) > 12 else ""))
    return lines


def amount_unit(opts: ImportOptions, cols: Columns) -> int | None:
    if opts.amount_unit is None:
        return cols.units.get("amount")
    raw = opts.amount_unit.strip().lower()
    if raw in UNITS:
        return UNITS[raw]
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    raise UsageProblem(_("amount unit {amount_unit!r} is not a unit").format(amount_unit=opts.amount_unit), hint=_("e.g. --amount-unit 万元, 千元, k or 10000"))


def first(cells: list[str], indexes: tuple[int, ...]) -> str | None:
    """The first non-empty cell of a field's columns, in the order the --map options gave them."""
    for i in indexes:
        if i < len(cells):
            value = cells[i].strip()
            if value:
                return value
    return None


# --------------------------------------------------------------------------------------------------
# the row loop


def run_job(conn: sqlite3.Connection, job: Job, table: Table, cols: Columns, ui: Ui, *,
            defer: tuple[str, ...] = ()) -> Tally:
    """The body of an import's write transaction: every row, the rejects file, and for a dry run the
    rollback. `defer`: tables whose secondary indexes are dropped for the load and rebuilt after (a big file)."""
    job.tally.described = describe(table, cols)
    if defer:
        from salesflow.store import bulk

        bulk.big_cache(conn)
        with bulk.indexes_deferred(conn, defer):
            run_rows(job, table, ui)
        bulk.analyze(conn)
    else:
        run_rows(job, table, ui)
    write_rejects(job.opts, table.header, job.tally)  # before the commit: if it cannot be written, nothing is imported
    if job.opts.dry_run:
        raise RollBack(job.tally)
    return job.tally


def run_rows(job: Job, table: Table, ui: Ui) -> None:
    """Every data row through `job.take`; a bad row raises (or goes to --rejects); unknown values are
    collected over the whole file and reported together at the end."""
    t, opts = job.tally, job.opts
    for line, cells in table.rows:
        t.rows += 1
        try:
            job.take(line, cells)
        except Unknown as unknown:
            for what, value in unknown.pairs:
                t.unknown.setdefault(what, Counter())[value] += 1
            if opts.rejects is not None:
                reject_or_raise(t, opts, line, cells, str(unknown))
        except BadInput as bad:
            reject_or_raise(t, opts, line, cells, bad.message, bad.hint)
        if t.rows % PROGRESS_ROWS == 0:
            ui.progress(table.progress())
    job.flush()
    ui.progress(1.0)
    _problem_end(t, opts.path, rejecting=opts.rejects is not None)


def reject_or_raise(tally: Tally, opts: ImportOptions, line: int, cells: list[str], message: str,
                    hint: str | None = None) -> None:
    if opts.rejects is None:
        raise BadInput(_("{name}:{line}: {message}; nothing was imported").format(name=opts.path.name, line=line, message=message),
                       hint=hint or _("fix the row, or pass --rejects FILE to import the rest"))
    tally.rejected.append((line, cells, message))
    if len(tally.preview) < PREVIEW_ROWS:
        tally.preview.append({"line": line, "action": "reject", "note": message})


_MAP_HINTS = {  # {value}: the first unknown value
    "stage": N_("map each with --stage-map '{value}=STAGE' (a stage key of the pipeline, won or lost)"),
    "status": N_("map each with --status-map '{value}=open|won|lost'"),
    "owner": N_("add them with salesflow rep add, or pass --create-reps"),
    "pipeline": N_("use a pipeline key or name, or import into one with --pipeline KEY"),
    "deal": N_("import the deals first, or check the deal id column"),
    "touch kind": N_("use --map to another column, or fix the values (call, visit, meeting, email, wechat, demo, quote, note)"),
    "lost reason": N_("map each with --reason-map '{value}=KEY' (a lost-reason key of the pipeline, or unknown)"),
    "currency": N_("convert each with --rate '{value}=RATE' (1 unit = RATE in the currency of this database), "
                   "or keep a rate with: salesflow config set rate.CODE RATE"),
}
_KINDS = {"stage": N_("stage"), "status": N_("status"), "owner": N_("owner"), "pipeline": N_("pipeline"), "deal": N_("deal"),
          "touch kind": N_("touch kind"), "lost reason": N_("lost reason"), "currency": N_("currency")}


def _problem_end(tally: Tally, path: Path, rejecting: bool) -> None:
    """After the last row: unknown values abort the import (unless rejected row by row), listing each
    with the option that maps it; a file with no data rows is an error too."""
    if tally.rows == 0:
        raise BadInput(_("{name} has a header but no data rows").format(name=path.name), hint=_("export the data again, with its rows"))
    if rejecting or not tally.unknown:
        return
    details, hints = [], []
    for what, values in tally.unknown.items():
        listed = ", ".join((_("{value!r} ({n} row)") if n == 1 else _("{value!r} ({n} rows)")).format(value=v, n=n)
                           for v, n in values.most_common(12))
        more = _(" and {n} more").format(n=len(values) - 12) if len(values) > 12 else ""
        hints.append(_(_MAP_HINTS[what]).format(value=next(iter(values))))
        details.append(f"{_(_KINDS[what])} ({len(values)}): {listed}{more}")
    kinds = _(" and ").join(_("currency (no rate)") if what == "currency" else _(_KINDS[what]) for what in tally.unknown)
    raise BadInput(_("{name}: unknown {kinds} values; nothing was imported").format(name=path.name, kinds=kinds), details=details, hint="; ".join(hints))


# --------------------------------------------------------------------------------------------------
# rejects file and summary


def _read_files(opts: ImportOptions) -> tuple[Path, ...]:
    return (opts.path,) + ((opts.events,) if opts.events else ())


def check_rejects(opts: ImportOptions) -> None:
    """Before anything is imported: a --rejects file that cannot or must not be written is refused now,
    not after the import has committed."""
    if opts.rejects is not None:
        from salesflow.output.target import check_target

        check_target(opts.rejects, protect=_read_files(opts))


def write_rejects(opts: ImportOptions, header: list[str], tally: Tally) -> None:
    if opts.rejects is None or opts.dry_run:  # a dry run writes nothing; its summary says what would be rejected
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


_MADE = (("reps", N_("{n} rep"), N_("{n} reps")), ("customers", N_("{n} customer"), N_("{n} customers")),
         ("contacts", N_("{n} contact"), N_("{n} contacts")), ("stage events", N_("{n} stage event"), N_("{n} stage events")))


def summary(opts: ImportOptions, tally: Tally) -> Outcome:
    verb = _("would import") if opts.dry_run else _("imported")
    n = lambda k: f"{k:,}"  # noqa: E731
    line = (_("{verb} {name}: {n} rows → {n2} created, {n3} updated, {n4} unchanged, {n5} skipped, {n6} rejected").format(verb=verb, name=opts.path.name, n=n(tally.rows), n2=n(tally.created), n3=n(tally.updated), n4=n(tally.unchanged), n5=n(tally.skipped), n6=n(len(tally.rejected))))
    out = Outcome(lines=[line], notes=list(tally.described))
    made = _(", ").join((_(one) if tally.created_of[k] == 1 else _(many)).format(n=n(tally.created_of[k]))
                        for k, one, many in _MADE if tally.created_of[k])
    if made:
        out.lines.append((_("would also create ") if opts.dry_run else _("also created ")) + made)
    if tally.new_reps:
        out.notes.append(_("new reps: ") + _(", ").join(tally.new_reps[:8])
                         + (_(" and {n} more").format(n=len(tally.new_reps) - 8) if len(tally.new_reps) > 8 else ""))
    for warning, count in sorted(tally.warnings.items()):
        out.notes.append(_("warning: {n} row{value}: {warning}").format(n=n(count), value='s' if count != 1 else '', warning=warning))
    if tally.rejected and opts.rejects:
        out.notes.append(_("rejected rows {value} written to {rejects} with their reasons").format(value='would be' if opts.dry_run else 'were', rejects=opts.rejects))
    if opts.dry_run:
        out.notes.append(_("dry run: nothing was written"))
    return out


def preview_report(kind: str, tally: Tally) -> Report:
    cols = [Column("line", "id"), Column("action", words=labels.VALUES), Column("deal", "id")]
    if kind == "deals":
        cols += [Column("title"), Column("customer"), Column("owner"), Column("stage"), Column("status", "status"),
                 Column("amount", "money")]
    else:
        cols += [Column("kind"), Column("at", "datetime"), Column("by")]
    return Report(_("Import preview (first {preview_rows} rows)").format(preview_rows=PREVIEW_ROWS), cols + [Column("note")], tally.preview,
                  empty=_("no data rows"))
