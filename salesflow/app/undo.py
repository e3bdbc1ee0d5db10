"""`undo`: revert your most recent command as a whole, from the change log."""

from __future__ import annotations

import sqlite3
from itertools import groupby

from salesflow.store.db import violates_a_constraint
from salesflow.app.context import Act, Outcome, writes
from salesflow.store.changes import Cmd
from salesflow.domain.errors import Refused
from salesflow.output.report import Column, Report
from salesflow.store import undo as store
from salesflow.i18n import N_, _


@writes
def undo(conn: sqlite3.Connection, cmd: Cmd, act: Act) -> Outcome:
    target = store.last_undoable(conn, act.by)
    if target is None:
        raise Refused(_("nothing to undo for {by}").format(by=act.by), hint=_("see recent commands with: salesflow undo --list"))
    what = _("{name} (command {id}, {at})").format(name=target['name'], id=target['id'], at=target['at'].replace('T', ' ')[:16])
    later = store.later_writers(conn, target["id"])
    if later:
        c = later[0]
        raise Refused(_("cannot undo {what}: {by} changed the same records later ({name}, command {id})").format(what=what, by=c['by'], name=c['name'], id=c['id']),
                      hint=_("undo refuses rather than overwrite someone else's later change"))
    changed = store.changes_of(conn, target["id"])
    foreign = next((c["entity"] for c in changed if not store.revertible(c["entity"])), None)
    if foreign is not None:
        raise Refused(_("cannot undo {what}: its change log names {entity}, which undo cannot put back").format(
            what=what, entity=foreign), hint=_("the log was written outside salesflow; ask an admin to look at it"))
    try:
        _revert(conn, cmd, target["id"], changed)
    except Exception as exc:  # rolled back: e.g. a rep it added now owns someone's deal
        if not violates_a_constraint(exc):
            raise
        raise Refused(_("cannot undo {what}: other records now depend on what it created").format(what=what),
                      hint=_("undo refuses rather than break them; change those records first")) from None
    out = Outcome(lines=[_("undid {what}: {n} change{value} reverted").format(what=what, n=len(changed), value='s' if len(changed) != 1 else '')])
    if target["args"]:
        out.notes.append(_("it was: salesflow {args}").format(args=target['args']))
    return out


def _revert(conn: sqlite3.Connection, cmd: Cmd, command_id: int, changed: list) -> None:
    # newest first; a run of updates to one row is put back in one statement
    for (op, entity, key), group in groupby(reversed(changed), key=lambda c: (c["op"], c["entity"], c["entity_id"])):
        group = list(group)
        if op == "insert":
            for change in group:
                store.revert_insert(conn, cmd, change)
        else:
            store.revert_updates(conn, cmd, group)
    store.mark_undone(conn, command_id, cmd.id)


def history_report(conn: sqlite3.Connection, limit: int) -> Report:
    rows = [dict(r) for r in store.recent_commands(conn, limit)]
    return Report(
        title=_("Recent commands (newest first)"), rows=rows, empty=_("no commands yet"),
        columns=[Column("id", "id"), Column("at", "datetime"), Column("by"), Column("name", label=N_("Command")), Column("args", label=N_("Arguments")),
                 Column("changes", "int"), Column("undone_by", "id")],
        footer=[_("`salesflow undo` reverts your most recent command that is not undone yet")])
