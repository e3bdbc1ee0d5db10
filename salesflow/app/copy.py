"""`salesflow copy FROM TO`: a whole database into an empty one, SQLite ↔ PostgreSQL, ids kept.

Every table is copied — the change log and commands included, so `undo` and `history` go on where they
were — from one consistent read of the source, in the target's one transaction: a copy that fails or is
interrupted leaves the target as empty as it was. The target must hold no rows (its schema is created
when missing). Afterwards both sides export byte-identical files.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from salesflow.app.context import loads
from salesflow.domain.errors import Refused
from salesflow.store import copy as store, reps
from salesflow.store.backend import open_database
from salesflow.store.db import shown
from salesflow.i18n import _


def copy_database(source: Path | str, target: Path | str, progress: Callable[[str, int], None] | None = None) -> list[str]:
    """Copy `source` into `target`; returns the lines to print (per table, the rows copied)."""
    if shown(source) == shown(target) or (isinstance(source, Path) and isinstance(target, Path)
                                          and target.exists() and source.resolve() == target.resolve()):
        raise Refused(_("{source} and {target} are the same database").format(source=shown(source), target=shown(target)),
                      hint=_("copy into a new file or an empty PostgreSQL database"))
    if isinstance(target, Path) and target.exists() and target.stat().st_size > 0:
        raise Refused(_("{target} already exists; copy writes only into a new file or an empty database").format(target=target),
                      hint=_("name a new file"))
    made = isinstance(target, Path) and not target.exists()
    try:
        return _copy_between(source, target, progress)
    except BaseException:
        if made:  # a copy that failed leaves no file behind (a second try would find it "already exists")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise


def _copy_between(source: Path | str, target: Path | str, progress) -> list[str]:
    src = open_database(source)
    try:
        partial = reps.login_rep(src)
        if partial is not None and reps.get_rep(src, partial).role != "admin":
            raise Refused(_("{source}: you are logged in as {rep}, who sees only some of the rows; copy reads every row").format(
                source=shown(source), rep=partial), hint=_("run copy as the database's owner or an admin's role"))
        dst = open_database(target, create=True)
        try:
            full = store.holds_rows(dst)
            if full:
                raise Refused(_("{target} is not empty (it has rows in {tables}); copy writes only into an empty database").format(
                    target=shown(target), tables=", ".join(full[:4]) + (" …" if len(full) > 4 else "")),
                    hint=_("create a new, empty database for it"))
            own = not src.in_transaction
            if own:
                src.execute("BEGIN")  # one snapshot of the source, however long the copy takes
            try:
                counts = _copy(dst, src, progress)
            finally:
                if own:
                    src.execute("ROLLBACK")
        finally:
            dst.close()
    finally:
        src.close()
    return [_("copied {source} → {target}").format(source=shown(source), target=shown(target))] + [
        f"  {table}: {n:,}" for table, n in counts.items() if n]


@loads
def _copy(dst: sqlite3.Connection, src: sqlite3.Connection, progress) -> dict[str, int]:
    counts: dict[str, int] = {}
    undone: list[tuple[int, int]] = []
    for table in store.TABLES:
        names = store.columns(src, table)
        if set(names) != set(store.columns(dst, table)):  # both are at the same schema version: never here
            raise Refused(_("the two databases differ in table {table}").format(table=table),
                          hint=_("open both with this salesflow first (it brings each to the current schema)"))
        n = 0
        for batch in store.rows(src, table, names):
            if table == "command":  # undone_by points at a later command: set once all are in
                at = names.index("undone_by")
                undone += [(r[at], r[names.index("id")]) for r in batch if r[at] is not None]
                batch = [r[:at] + (None,) + r[at + 1:] for r in batch]
            store.insert(dst, table, names, batch)
            n += len(batch)
            if progress:
                progress(table, n)
        store.ids_given(dst, table, names)
        if table == "command" and undone:
            store.set_undone(dst, undone)
        counts[table] = n
    return counts
