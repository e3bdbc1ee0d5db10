"""Who acts, when, and under which command: passed down from the CLI, never read from the clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from salesflow.domain.dates import iso
from salesflow.store.changes import Cmd, begin_command, discard_if_empty
from salesflow.store.db import write


@dataclass(frozen=True)
class Act:
    now: datetime
    by: str
    command: str = ""
    args: str = ""


@dataclass
class Outcome:
    """What a write did, for the CLI to print: stdout lines first, then messages for stderr."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@contextmanager
def command(conn: sqlite3.Connection, act: Act) -> Iterator[Cmd]:
    """One command = one transaction = one row in `command`, the unit that `undo` reverts."""
    with write(conn):
        cmd = begin_command(conn, act.command, act.args, iso(act.now), act.by)
        yield cmd
        discard_if_empty(conn, cmd)
