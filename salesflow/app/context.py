"""Who acts, when, and under which command; and `writes`, the one shape of a write use case.

A write use case is a function decorated with `@writes`. Its whole body runs inside one
`BEGIN IMMEDIATE` transaction (one row in `command`, the unit `undo` reverts), so everything it
reads — the deal it checks criteria against, the fields it merges, the command `undo` picks — is
read under the write lock, and two people working at once are serialised rather than interleaved.
Nothing a write decides on can come from a read outside it: the body has no "before". The
architecture tests check that no other code opens a write transaction and that every function that
writes has a `cmd` (which only exists inside one).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from salesflow.domain.dates import iso
from salesflow.store import facts
from salesflow.store.changes import Cmd, begin_command, discard_if_empty
from salesflow.store.db import conflicted, write
from salesflow.i18n import _


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


class RollBack(Exception):
    """Raised inside a write use case to end it with `result` after undoing everything (a dry run)."""

    def __init__(self, result: Any):
        super().__init__(_("rolled back"))
        self.result = result


@contextmanager
def command(conn: sqlite3.Connection, act: Act, *, keep_empty: bool = False) -> Iterator[Cmd]:
    """One command = one transaction = one row in `command`. Use `@writes`; this is its engine."""
    with write(conn):
        cmd = begin_command(conn, act.command, act.args, iso(act.now), act.by)
        yield cmd
        if cmd.affected:  # the derived facts of what changed, in the same transaction (store/facts.py)
            facts.refresh(conn, cmd.affected)
        if not keep_empty:
            discard_if_empty(conn, cmd)


def writes(fn: Callable[..., Any] | None = None, *, keep_empty: bool = False) -> Any:
    """Run `fn(conn, cmd, *args, **kwargs)` wholly inside one command transaction.

    The caller calls `fn(conn, *args, **kwargs)` with an `Act` among the arguments (positional or
    `act=`). A failure anywhere in the body rolls everything back; `raise RollBack(result)` rolls back
    and returns `result` (dry runs run the real code and keep nothing). A command that logged no
    change leaves no row in `command`, unless `keep_empty` (bulk rows that point at it without a log).
    """
    if fn is None:
        return functools.partial(writes, keep_empty=keep_empty)

    @functools.wraps(fn)
    def run(conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> Any:
        act = kwargs.get("act") or next((a for a in args if isinstance(a, Act)), None)
        if act is None:
            raise TypeError(_("{name} is a write use case and needs an Act").format(name=fn.__name__))
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                with command(conn, act, keep_empty=keep_empty) as cmd:
                    return fn(conn, cmd, *args, **kwargs)
            except RollBack as done:
                return done.result
            except Exception as exc:
                if attempt < CONFLICT_RETRIES and conflicted(exc):  # store/db.py knows the codes
                    import random
                    import time

                    time.sleep(random.uniform(0.005, 0.03) * attempt)  # the other command commits meanwhile
                    continue
                raise
        raise AssertionError("unreachable")

    return run


def loads(fn: Callable[..., Any]) -> Any:
    """Run `fn(conn, *args)` inside one write transaction that is not a user's command: a whole database
    copied in (`copy`), whose rows carry their own commands and change log. No `command` row, no facts
    refresh (the derived rows are copied too); all or nothing like a command."""
    @functools.wraps(fn)
    def run(conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> Any:
        with write(conn):
            return fn(conn, *args, **kwargs)

    return run


# PostgreSQL runs every command SERIALIZABLE and may refuse one that conflicted with another running at the
# same time (SQLSTATE 40001, or a deadlock, 40P01): nothing of it was kept, so it runs again from the start,
# reading afresh. SQLite queues writers on its lock instead and never reports this.
CONFLICT_RETRIES = 5

