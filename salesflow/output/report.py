"""The one shape every listing and report has: title, typed columns, rows, footer notes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

KINDS = ("text", "phone", "owner", "tags", "health", "id", "int", "number", "score", "money", "date", "datetime", "rate",
         "days", "stage", "status", "bool", "bar", "key")  # key: a code a person types (an action key), never cut
FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")


class Column(NamedTuple):
    key: str  # the csv/json header: English snake_case, stable
    kind: str = "text"  # `id`: a number never grouped (#5559); `bar`: a drawing, on a terminal only
    in_table: bool = True  # shown in the human table
    in_machine: bool = True  # carried by csv/tsv/json/jsonl (False: a table-only drawing, e.g. a bar)
    # On a narrow terminal the columns with the highest priority are hidden first; 0 never. None: 0 for
    # ids and the first column, else 5 (output.fit).
    priority: int | None = None
    label: str | None = None  # the human header when the key's usual one would mislead (an N_() message)
    words: dict | None = None  # value -> how a person reads it (N_() messages); csv/json keep the value


@dataclass
class Report:
    title: str
    columns: list[Column]
    rows: Iterable[dict[str, Any]]
    footer: list[str] = field(default_factory=list)
    stage_labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (en, zh)
    empty: str = "nothing to show"
    group_by: str | None = None  # tables draw one section per value of this column (rows come sorted by it)
    # rows are tuples in column order (a streamed export: no dict per row); emit turns them into dicts
    # only for the formats that need names
    tuples: bool = False
    # what the numbers leave out and why ("12 lost deals with unknown history are not counted"): drawn in the
    # table's footer, and said on stderr with a machine format, whose rows and columns stay as documented
    left_out: list[str] = field(default_factory=list)
    # the column whose value colours a row on a terminal: > 0 red (overdue), 0 yellow (due today)
    late_by: str | None = None

    def dict_rows(self) -> Iterable[dict[str, Any]]:
        if not self.tuples:
            return self.rows
        keys = [c.key for c in self.columns]
        return (dict(zip(keys, row)) for row in self.rows)
