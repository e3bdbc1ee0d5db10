"""The one shape every listing and report has: title, typed columns, rows, footer notes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

KINDS = ("text", "phone", "owner", "tags", "health", "int", "number", "score", "money", "date", "datetime", "rate", "days", "stage", "status", "bool")
FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")


class Column(NamedTuple):
    key: str  # the csv/json header: English snake_case, stable
    kind: str = "text"
    in_table: bool = True  # shown in the human table
    in_machine: bool = True  # carried by csv/tsv/json/jsonl (False: a table-only drawing, e.g. a bar)


class Halves:
    """Rows that can also be read in two halves by two processes (a long export, see output.split).

    Iterating gives every row from this process: `first()` then `second()`. `second_elsewhere()` gives
    the second half from a new connection in a forked process, or raises `Stale` if the data it sees is
    not the data this process is reading."""

    def __init__(self, first: Callable[[], Iterable[Any]], second: Callable[[], Iterable[Any]],
                 second_elsewhere: Callable[[], Iterable[Any]]):
        self.first, self.second, self.second_elsewhere = first, second, second_elsewhere

    def __iter__(self) -> Iterator[Any]:
        yield from self.first()
        yield from self.second()


class Stale(Exception):
    """The helper process would read other data than this one (something was written in between)."""


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

    def dict_rows(self) -> Iterable[dict[str, Any]]:
        if not self.tuples:
            return self.rows
        keys = [c.key for c in self.columns]
        return (dict(zip(keys, row)) for row in self.rows)
