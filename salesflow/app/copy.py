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
from salesflow.store import copy as store
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
    src = open_database(source)
    try:
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
