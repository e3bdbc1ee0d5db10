"""One emit function: a Report in the format asked for, to stdout or atomically to a file.

Machine formats (csv, tsv, json, jsonl) carry machine values: ISO dates, amounts as major units
with two decimals, rates as fractions, stage keys. Tables and markdown carry human values and
labels. Rich and tabulate are imported only here, and only when a table is drawn.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from salesflow.domain.money import format_amount, to_major_str
from salesflow.domain.text import printable
from salesflow.i18n import _
from salesflow.output import labels
from salesflow.output.report import Column, Report


@dataclass(frozen=True)
class Style:
    """How a human wants to see tables; resolved once by the CLI."""

    lang: str = "en"
    terminal: bool = False  # stdout is a terminal: fit tables to `width`, draw bars
    color: bool = False
    width: int | None = None
    wide: bool = False  # --wide: every column, nothing cut, however wide the lines get
    currency: str | None = None  # the database's (ISO 4217): money headers read "Amount (CNY)"


# A spreadsheet runs a cell starting with these as a formula (CSV injection); full-width forms too,
# because Excel and WPS fold them. Text cells get a leading apostrophe unless --raw. Phone columns
# are exempt: they hold normalised E.164 (`+` and digits), which cannot carry a formula, and an
# apostrophe would corrupt them for every script.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_TEXT_KINDS = ("text", "owner", "tags", "stage", "status", "health")


_TRIGGER_FIRST = frozenset(FORMULA_TRIGGERS)
_E164 = re.compile(r"^\+\d{1,15}$")  # what a normalised phone looks like: safe in every spreadsheet
# Kinds whose stored value is already what csv carries (text, ints, ISO strings; None → empty cell).
_CSV_AS_IS = ("text", "owner", "tags", "stage", "status", "health", "phone", "id", "int", "json", "key")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def emit(report: Report, fmt: str, style: Style, out: Path | None = None, stream: IO[str] | None = None, *,
         raw: bool = False, excel: bool = False) -> None:
    """`raw`: leave formula-like text cells alone; `excel`: csv/tsv with a BOM and CRLF line ends."""
    _to(out, style, lambda handle, st: _write(report, fmt, st, handle, raw=raw, excel=excel), stream)


def write_text(text: str, out: Path | None) -> None:
    """Finished text (TOML, Markdown, HTML, iCalendar) to -o FILE atomically, else to stdout."""
    _to(out, Style(), lambda handle, _: handle.write(text))


def emit_drawn(write, style: Style, out: Path | None = None) -> None:
    """Text a renderer draws (`write(stream, style)`), to -o FILE or stdout like every report."""
    _to(out, style, write)


def _to(out: Path | None, style: Style, write, stream: IO[str] | None = None) -> None:
    """The one place that chooses between -o FILE (output.target: atomic and 0600, or streamed into a pipe;
    never drawn for a terminal) and stdout."""
    if out is not None:
        from salesflow.output.target import output_file

        with output_file(out) as handle:
            write(handle, Style(style.lang, False, False, style.width, currency=style.currency))
    else:
        write(stream or sys.stdout, style)


def _write(report: Report, fmt: str, style: Style, stream: IO[str], *, raw: bool = False, excel: bool = False) -> None:
    if report.left_out:
        if fmt in ("csv", "tsv", "json", "jsonl"):
            for note in report.left_out:
                print(f"note: {note}", file=sys.stderr)
        else:
            report = replace(report, footer=[*report.footer, *report.left_out], left_out=[])
    if report.tuples and (fmt not in ("csv", "tsv") or not all(c.in_machine for c in report.columns)):
        report = replace(report, rows=report.dict_rows(), tuples=False)
    if fmt in ("csv", "tsv", "json", "jsonl"):
        report = replace(report, columns=[c for c in report.columns if c.in_machine])
    if fmt in ("csv", "tsv"):
        if excel:
            stream.write("\ufeff")
        dialect = {"delimiter": "," if fmt == "csv" else "\t", "lineterminator": "\r\n" if excel else "\n"}
        csv.writer(stream, **dialect).writerow([c.key for c in report.columns])
        _csv_rows(report, raw, stream, dialect)
    elif fmt == "json":
        stream.write("[")
        for i, row in enumerate(report.rows):
            stream.write(("," if i else "") + "\n  " + _json_object(report.columns, row))
        stream.write("\n]\n" if report.columns else "]\n")
    elif fmt == "jsonl":
        for row in report.rows:
            stream.write(_json_object(report.columns, row) + "\n")
    elif fmt == "markdown":
        _markdown(report, style, stream)
    else:
        _table(report, style, stream)


def _csv_rows(report: Report, raw: bool, stream: IO[str], dialect: dict[str, str]) -> None:
    """The hot loop of `export` (a million rows): each value is converted once, and only the columns
    that need it are touched — text cells checked for a formula trigger, money formatted, bools spelled."""
    columns = report.columns
    get = [c.key for c in columns]
    tuples = report.tuples
    # tuples come straight from SQLite: dates are ISO text already, money an int of minor units
    convert = [(i, _csv_money if tuples and c.kind == "money" else _csv_date if c.kind in ("date", "datetime")
                else _csv_cell, c) for i, c in enumerate(columns)
               if c.kind not in _CSV_AS_IS and not (tuples and c.kind in ("date", "datetime"))]
    guarded = [] if raw else [i for i, c in enumerate(columns) if c.kind in _TEXT_KINDS or c.kind == "phone"]
    phones = {i for i, c in enumerate(columns) if c.kind == "phone"}
    first = _TRIGGER_FIRST

    writerow = csv.writer(stream, **dialect).writerow
    for row in report.rows:
        cells = list(row) if tuples else [row.get(k) for k in get]
        for i, fn, column in convert:
            cells[i] = fn(column, cells[i])
        for i in guarded:
            cell = cells[i]
            if cell and cell[0] in first and not (i in phones and _E164.match(cell)):
                cells[i] = "'" + cell
        writerow(cells)




def emit_sections(reports: dict[str, Report], fmt: str, style: Style, out: Path | None = None) -> None:
    """Several reports as one output: tables one after another; json one object keyed by section."""
    def write(stream: IO[str], st: Style) -> None:
        if fmt == "json":
            stream.write(to_json({key: [{c.key: _json_value(c, row.get(c.key)) for c in r.columns if c.in_machine}
                                        for row in r.rows] for key, r in reports.items()}, indent="  ") + "\n")
            return
        for i, report in enumerate(reports.values()):
            if i:
                stream.write("\n")
            if fmt == "table" and not st.terminal:
                stream.write(report.title + "\n")
            _write(report, fmt, st, stream)

    _to(out, style, write)


def machine_value(column: Column, value: Any) -> Any:
    """The value a script sees; money stays a two-decimal string so no float ever appears."""
    if value is None:
        return None  # deal amounts are never NULL (0 = no amount, "0.00"); None here means "no such deal"
    if column.kind == "money":
        return to_major_str(value)
    if column.kind == "datetime" and isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if column.kind in ("date", "datetime") and isinstance(value, date):
        return value.isoformat()
    if column.kind == "rate":
        return round(float(value), 4)
    if column.kind == "score":
        return f"{float(value):.2f}"  # two decimals, written into JSON as a number
    if column.kind == "days":
        return round(float(value), 1)
    if column.kind == "bool":
        return bool(value)
    return value


def _csv_date(column: Column, value: Any) -> Any:
    return value if value is None or type(value) is str else _csv_cell(column, value)  # ISO text from SQLite as is


def _csv_money(column: Column, value: int | None) -> str:
    return "" if value is None else to_major_str(value)


def _csv_cell(column: Column, value: Any) -> str:
    value = machine_value(column, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# JSON escapes C0 itself; C1 controls, DEL and the bidi overrides it leaves raw. Written as \uXXXX they
# read back as the same text, and cannot drive a terminal the json is printed on.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text) if isinstance(value, str) else text


class Fixed(str):
    """A number already formatted (`120000.00`): written into JSON as a number, digits untouched."""


def to_json(value: Any, indent: str | None = None, _level: int = 0) -> str:
    """json.dumps, except that `Fixed` values are written as bare numbers (no float round trip)."""
    if isinstance(value, Fixed):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        is_dict = isinstance(value, dict)
        if is_dict:
            items = [f"{_dumps(str(k))}: {to_json(v, indent, _level + 1)}" for k, v in value.items()]
        else:
            items = [to_json(v, indent, _level + 1) for v in value]
        opening, closing = "{}" if is_dict else "[]"
        if not items:
            return opening + closing
        if indent is None:
            return opening + ", ".join(items) + closing
        inner = "\n" + indent * (_level + 1)
        return opening + inner + ("," + inner).join(items) + "\n" + indent * _level + closing
    return _dumps(value)


def _json_object(columns: list[Column], row: dict[str, Any]) -> str:
    return to_json({c.key: _json_value(c, row.get(c.key)) for c in columns})


def _json_value(column: Column, value: Any) -> Any:
    if column.kind == "json" and isinstance(value, str):
        return json.loads(value)  # a nested object in json/jsonl, its JSON text in csv/tsv
    value = machine_value(column, value)
    return Fixed(value) if column.kind in ("money", "score") and value is not None else value


def human_value(column: Column, value: Any, report: Report, lang: str) -> str:
    if column.words is not None and value in column.words:
        return _(column.words[value])
    if column.kind == "money":
        return "—" if value is None else format_amount(value)
    if column.kind == "owner" and value in (None, ""):
        return labels.word({None: labels.NONE}, None)
    if value is None or value == "":
        return "—" if column.kind in ("rate", "days", "date", "datetime", "id", "int", "score", "number") else ""
    if column.kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.kind == "datetime" and isinstance(value, str):
        return value[:16].replace("T", " ")
    if column.kind in ("date", "datetime") and isinstance(value, date):
        return value.isoformat()
    if column.kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if column.kind == "score":
        return f"{float(value):.2f}"
    if column.kind == "days":
        return f"{float(value):.1f}"
    if column.kind == "number":
        return f"{value:g}" if isinstance(value, float) else str(value)
    if column.kind == "stage":
        pair = report.stage_labels.get(value)
        return printable(labels.pick(pair, lang) if pair else str(value))
    if column.kind == "status":
        return labels.word(labels.STATUS, value)
    if column.kind == "health":
        return labels.word(labels.HEALTH, value)
    if column.kind == "tags":  # `a;b` in machine formats; a rule code reads in the current language
        return ", ".join(labels.word(labels.RULES, tag) if tag in labels.RULES else tag for tag in str(value).split(";"))
    if column.kind == "bool":
        return labels.word(labels.BOOL, bool(value))
    if column.kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if column.kind == "id":
        return str(value)  # typed back as it is shown: 5559, never 5,559
    return printable(str(value))  # text that reached the database before control characters were refused


def human_rows(report: Report, lang: str, rows: list[dict[str, Any]] | None = None,
               drawings: bool = False) -> tuple[list[Column], list[list[str]]]:
    """The columns a person sees and their cells. Bars only on a terminal (`drawings`); a table-only column
    with nothing in it (no flags, no targets) is left out rather than drawn empty."""
    columns = [c for c in report.columns if c.in_table and c.key != report.group_by and (drawings or c.kind != "bar")]
    source = report.rows if rows is None else rows
    cells = [[human_value(c, row.get(c.key), report, lang) for c in columns] for row in source]
    keep = [i for i, c in enumerate(columns) if c.in_machine or any(r[i] not in ("", "—") for r in cells)]
    if len(keep) == len(columns):
        return columns, cells
    return [columns[i] for i in keep], [[r[i] for i in keep] for r in cells]


def header(column: Column) -> str:
    """A column's header in the current language: its own label when it has one, else its key's."""
    return _(column.label) if column.label else labels.column(column.key)


def _headers(columns: list[Column], style: Style) -> list[str]:
    """Column headers in the current language; money columns name the database's currency."""
    return [header(c) + (f" ({style.currency})" if style.currency and c.kind == "money" else "") for c in columns]


def is_numeric(column: Column) -> bool:
    return column.kind in ("money", "id", "int", "number", "score", "rate", "days")


def group_rows(report: Report, lang: str) -> list[tuple[str | None, list[dict[str, Any]]]]:
    rows = list(report.rows)
    if report.group_by is None:
        return [(None, rows)]
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.get(report.group_by), []).append(row)
    label = labels.column(report.group_by, lang)
    column = next((c for c in report.columns if c.key == report.group_by), None)

    def shown(key: Any) -> str:
        if key in (None, ""):
            return labels.word({None: labels.NONE}, None)
        if column is not None and column.kind in ("stage", "status") or (column is not None and column.words):
            return human_value(column, key, report, lang)  # a stage's label in Chinese, a word in the user's language
        return str(key)

    return [(f"{label}: {shown(key)}", members) for key, members in groups.items()]


def _table(report: Report, style: Style, stream: IO[str]) -> None:
    groups = [(name, rows) for name, rows in group_rows(report, style.lang) if rows]
    if not groups:
        print(report.empty, file=sys.stderr)
        return
    shared = None
    if style.terminal:  # every group with the same columns and widths, fitted once over all the rows
        columns, cells = human_rows(report, style.lang, [r for _name, rows in groups for r in rows], drawings=True)
        shared = (columns, _headers(columns, style), _plan(columns, _headers(columns, style), cells, style))
    for i, (name, rows) in enumerate(groups):
        last = i == len(groups) - 1
        title = printable(report.title if name is None else (f"{report.title} · {name}" if style.terminal else name))
        if name is not None and not style.terminal:
            stream.write(("" if i == 0 else "\n") + title + "\n")
        footer = [printable(n) for n in report.footer] if last else []
        if shared is not None:
            columns, headers, plan = shared
            cells = [[human_value(c, row.get(c.key), report, style.lang) for c in columns] for row in rows]
            _fitted(report, style, stream, rows, columns, headers, cells, title, footer, plan, hidden=last)
        else:
            _one_table(report, style, stream, rows, title, footer)


def _one_table(report: Report, style: Style, stream: IO[str], source: list[dict[str, Any]], title: str,
               footer: list[str]) -> None:
    columns, rows = human_rows(report, style.lang, source, drawings=style.terminal)
    headers = _headers(columns, style)
    if style.terminal:
        _fitted(report, style, stream, source, columns, headers, rows, title, footer)
        return
    from tabulate import tabulate

    aligns = ["right" if is_numeric(c) else "left" for c in columns]
    stream.write(tabulate(rows, headers=headers, tablefmt="simple", colalign=aligns, disable_numparse=True) + "\n")
    for note in footer:
        stream.write(note + "\n")


_CUTTABLE = ("text", "tags")
_ANSI = {"bold": "\x1b[1m", "dim": "\x1b[2m", "red": "\x1b[31m", "bold red": "\x1b[1;31m", "yellow": "\x1b[33m",
         "green": "\x1b[32m", "": ""}
_RESET = "\x1b[0m"


def _plan(columns: list[Column], headers: list[str], rows: list[list[str]], style: Style):
    """Which columns a terminal shows and how wide (output.fit): every column and no cutting with --wide."""
    from salesflow.output import fit

    priority = [c.priority if c.priority is not None else (0 if i == 0 or c.kind == "id" else 5)
                for i, c in enumerate(columns)]
    return fit.fit(headers, rows, [c.kind in _CUTTABLE for c in columns], priority, None if style.wide else style.width)


def _fitted(report: Report, style: Style, stream: IO[str], source: list[dict[str, Any]], columns: list[Column],
            headers: list[str], rows: list[list[str]], title: str, footer: list[str], plan=None,
            hidden: bool = True) -> None:
    """A table on a terminal: fitted to its width (output.fit) unless --wide, coloured when colour is on.
    `plan`: the fit shared by every group of a grouped table; `hidden`: say here which columns it hid."""
    from salesflow.output import fit

    plan = plan or _plan(columns, headers, rows, style)
    paint = (lambda text, how: f"{_ANSI[how]}{text}{_RESET}" if how else text) if style.color \
        else (lambda text, how: text)

    def line(cells: list[str], how: str = "") -> str:
        out = []
        for i, cell in zip(plan.shown, cells):
            w = plan.widths[i]
            text = fit.cut(cell, w)
            pad = " " * (w - fit.width_of(text))
            out.append(pad + text if is_numeric(columns[i]) else text + pad)
        return paint((" " * fit.GAP).join(out).rstrip(), how)

    stream.write(paint(title, "bold") + "\n")
    split = [fit.header_lines(headers[i], plan.widths[i]) for i in plan.shown]
    for k in range(max(len(h) for h in split)):
        stream.write(line([h[k] if k < len(h) else "" for h in split], "bold") + "\n")
    stream.write(paint((" " * fit.GAP).join("─" * plan.widths[i] for i in plan.shown), "dim") + "\n")
    for row, cells in zip(source, rows):
        stream.write(line([cells[i] for i in plan.shown], _row_colour(report, row, columns, cells, plan.shown))
                     + "\n")
    notes = list(footer)
    if plan.hidden and hidden:
        notes.append(labels.hidden_note([headers[i] for i in plan.hidden], style.width or 0, style.lang))
    for note in notes:
        for piece in fit.wrap(note, 0 if style.wide else style.width or 0):
            stream.write(paint(piece, "dim") + "\n")


def _row_colour(report: Report, row: dict[str, Any], columns: list[Column], cells: list[str], shown: list[int]) -> str:
    if report.late_by is not None:
        late = row.get(report.late_by)
        if isinstance(late, int):
            return "red" if late > 0 else "yellow" if late == 0 else ""
    for i in shown:  # a health column colours its row
        if columns[i].kind == "health":
            return _cell_style(columns[i], cells[i])
    return ""


def _cell_style(column: Column, cell: str) -> str:
    return {"red": "bold red", "红": "bold red", "yellow": "yellow", "黄": "yellow", "green": "green",
            "绿": "green"}.get(cell, "")


def md_cell(cell: str) -> str:
    """Text in Markdown (a table cell, a heading, a note): pipes escaped, one line, HTML inert (Markdown
    renders raw HTML, so a customer named `<img src=x onerror=…>` would run in a viewer), and no link or
    image (a name like `![x](https://…)` would load a tracking image in a chat)."""
    return (cell.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("[", "\\[").replace("]", "\\]").replace("\n", " "))


def _markdown(report: Report, style: Style, stream: IO[str]) -> None:
    from tabulate import tabulate

    stream.write(f"### {md_cell(report.title)}\n")
    for name, source in group_rows(report, style.lang):
        columns, rows = human_rows(report, style.lang, source)
        headers = _headers(columns, style)
        escaped = [[md_cell(cell) for cell in row] for row in rows]
        aligns = ["right" if is_numeric(c) else "left" for c in columns]
        stream.write(f"\n#### {md_cell(name)}\n\n" if name else "\n")
        stream.write(tabulate(escaped, headers=headers, tablefmt="pipe", colalign=aligns, disable_numparse=True) + "\n")
    if report.footer:
        stream.write("\n" + "\n".join(f"_{md_cell(note)}_" for note in report.footer) + "\n")
