"""Every write goes through `insert` / `update` here, so every change lands in the change log.

A `Cmd` is the row of the `command` table that the change belongs to: the unit `undo` reverts.
Table and column names come only from the allow-list below; values are always bound parameters.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from salesflow.store import dialect

# table -> (primary key column, writable columns)
TABLES: dict[str, tuple[str, frozenset[str]]] = {
    "deal": ("id", frozenset({
        "title", "customer_id", "contact_id", "owner", "assigned_at", "pipeline", "stage", "status", "amount",
        "close_date", "source", "next_followup", "created_at", "stage_entered_at", "progressed_at", "closed_at",
        "lost_reason", "lost_from_stage", "external_id", "fields", "history", "guessed", "last_activity_at",
        "review_from"})),
    "customer": ("id", frozenset({"name", "name_key", "grade", "industry", "created_at"})),
    "contact": ("id", frozenset({"customer_id", "name", "title", "phone", "email", "decision_maker", "created_at"})),
    "touch": ("id", frozenset({"deal_id", "kind", "at", "by", "contact_id", "notes", "outcome", "command_id", "template",
                               "steps"})),
    "stage_event": ("id", frozenset({"deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced", "command_id"})),
    "rep": ("handle", frozenset({"handle", "name", "role", "manager", "team", "capacity", "active", "created_at"})),
    "meta": ("key", frozenset({"key", "value"})),
    "target": ("id", frozenset({"month", "rep", "amount"})),
    "escalation": ("id", frozenset({"deal_id", "rep", "manager", "rule", "at", "command_id"})),
    "notice": ("key", frozenset({"key", "at", "command_id"})),
    "action_done": ("id", frozenset({"deal_id", "stage", "action", "at", "by", "touch_id", "notes", "command_id"})),
    "touch_score": ("id", frozenset({"touch_id", "score", "notes", "at", "by", "command_id"})),
}


@dataclass(frozen=True)
class Cmd:
    id: int
    at: str
    by: str
    # the deals whose derived facts (store/facts.py) this command's changes affect, refreshed before it commits
    affected: set = field(default_factory=set, compare=False, hash=False, repr=False)


# Which logged changes touch a deal's derived facts, and how to find the deal.
_DEAL_ROWS = frozenset({"touch", "stage_event"})


def begin_command(conn: sqlite3.Connection, name: str, args: str, at: str, by: str) -> Cmd:
    given = dialect.next_id(conn, "command")
    row = conn.execute("INSERT INTO command (id, name, args, at, by) VALUES (?, ?, ?, ?, ?) RETURNING id",
                       (given, name, args, at, by)).fetchone()
    return Cmd(row[0], at, by)


def discard_if_empty(conn: sqlite3.Connection, cmd: Cmd) -> None:
    """A command that changed nothing leaves no trace (re-running `sweep` is idempotent)."""
    if conn.execute("SELECT 1 FROM change_log WHERE command_id = ? LIMIT 1", (cmd.id,)).fetchone() is None:
        conn.execute("DELETE FROM command WHERE id = ?", (cmd.id,))


def _inside(conn: sqlite3.Connection) -> None:
    if not conn.in_transaction:  # a programming error, never a user's: the write path is @writes only
        raise RuntimeError("a change outside its write transaction")


def insert(conn: sqlite3.Connection, cmd: Cmd, table: str, values: dict[str, Any]) -> Any:
    _inside(conn)
    pk, columns = TABLES[table]
    bad = set(values) - columns
    if bad:
        raise ValueError(f"not writable in {table}: {sorted(bad)}")
    given = dict(values)
    if pk == "id" and "id" not in given and dialect.is_pg(conn):
        given["id"] = dialect.next_id(conn, table)
    names = list(given)
    row = conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) RETURNING {pk}",
        [given[n] for n in names],
    ).fetchone()
    key = values[pk] if pk in values else row[0]
    log_change(conn, cmd, table, key, "insert", None, None, json.dumps(values, ensure_ascii=False))
    return key


def update(conn: sqlite3.Connection, cmd: Cmd, table: str, key: Any, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Apply `changes` to one row; log and return only the fields whose value really changed."""
    _inside(conn)
    pk, columns = TABLES[table]
    bad = set(changes) - columns
    if bad:
        raise ValueError(f"not writable in {table}: {sorted(bad)}")
    row = conn.execute(f"SELECT * FROM {table} WHERE {pk} = ?", (key,)).fetchone()
    if row is None:
        raise LookupError(f"{table} {key} vanished")
    changed = {name: (row[name], value) for name, value in changes.items() if row[name] != value}
    if not changed:
        return {}
    if table == "customer" and "grade" in changed:
        sees_every_deal_of(conn, row["id"])
    done = conn.execute(
        f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in changed)} WHERE {pk} = ?",
        [new for _, new in changed.values()] + [key],
    )
    refused_unless_written(done, table, key)
    for name, (old, new) in changed.items():
        if table == "deal" and name == "fields":
            _log_fields(conn, cmd, key, old, new)
        else:
            log_change(conn, cmd, table, key, "update", name, old, new)
    return changed


def _log_fields(conn: sqlite3.Connection, cmd: Cmd, key: Any, old: str, new: str) -> None:
    """Process fields live in one JSON column but are logged one field at a time."""
    before, after = json.loads(old or "{}"), json.loads(new or "{}")
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            log_change(conn, cmd, "deal", key, "update", f"fields.{name}", before.get(name), after.get(name))


def refused_unless_written(cursor, table: str, key: Any) -> None:
    """A row the reader sees but may not change: PostgreSQL's row security turns such an UPDATE or DELETE
    into one of no rows, without an error. Say so, and let the command roll back, rather than report and
    log a change that did not happen. (On SQLite every row seen can be written: never raised there.)"""
    if cursor.rowcount == 0:
        from salesflow.domain.errors import Refused
        from salesflow.i18n import _

        raise Refused(_("your database role may not change {table} {key}").format(table=table, key=key),
                      hint=_("ask an admin, or the rep or manager it belongs to"))


def sees_every_deal_of(conn, customer_id: int) -> None:
    """A customer's grade sets the follow-up windows of all its deals, whose derived facts are refreshed in
    this command: only a reader who sees them all may change it (schema.M009_SHARING_PG), undo included."""
    from salesflow.store.access import deals_hidden

    if deals_hidden(conn, customer_id):
        from salesflow.domain.errors import Refused
        from salesflow.i18n import _

        name = conn.execute("SELECT name FROM customer WHERE id = ?", (customer_id,)).fetchone()[0]
        raise Refused(_("customer {name} also has deals you cannot see, and its grade sets their follow-up windows")
                      .format(name=name),
                      hint=_("ask a manager who sees all of them, or an admin, to change the grade"))


def log_change(conn, cmd: Cmd, entity: str, key: Any, op: str, field: str | None, old: Any, new: Any) -> None:
    _affects(conn, cmd, entity, key, op, old, new)
    conn.execute(
        "INSERT INTO change_log (command_id, entity, entity_id, op, field, old, new, at, by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cmd.id, entity, str(key), op, field, _text(old), _text(new), cmd.at, cmd.by),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _affects(conn, cmd: Cmd, entity: str, key: Any, op: str, old: Any, new: Any) -> None:
    """Note the deals whose derived facts this change affects: the logged row's deal, or every deal of a
    customer whose grade (the follow-up windows) changed. Every write is logged here, undo's too."""
    if entity == "deal":
        cmd.affected.add(int(key))
    elif entity in _DEAL_ROWS:
        if op == "update":  # one field of a row that is there
            row = conn.execute(f"SELECT deal_id FROM {entity} WHERE id = ?", (key,)).fetchone()
            deal = row[0] if row else None
        else:  # an insert logs the new row, a delete (undo) the old one, as JSON
            deal = json.loads(new if op == "insert" else old).get("deal_id")
        if deal is not None:
            cmd.affected.add(int(deal))
    elif entity == "customer":
        cmd.affected.update(r[0] for r in conn.execute("SELECT id FROM deal WHERE customer_id = ?", (key,)))
