"""What `undo` reads and writes: commands, their change-log rows, and reverting them.

Only tables in changes.TABLES can be reverted; names come from that allow-list, values are bound.
"""

from __future__ import annotations

import json
import sqlite3

from salesflow.store import dialect
from salesflow.store.changes import TABLES, Cmd, log_change, refused_unless_written, sees_every_deal_of


def recent_commands(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT c.id, c.name, c.args, c.at, c.by, c.undone_by,
               (SELECT COUNT(*) FROM change_log l WHERE l.command_id = c.id) AS changes
        FROM command c ORDER BY c.id DESC LIMIT ?
        """,
        (limit,),
    ).fetchall()


def last_undoable(conn: sqlite3.Connection, by: str) -> sqlite3.Row | None:
    """`by`'s most recent command that changed data and is neither undone nor itself an undo."""
    return conn.execute(
        "SELECT * FROM command WHERE by = ? AND undone_by IS NULL AND name != 'undo'"
        " AND EXISTS (SELECT 1 FROM change_log l WHERE l.command_id = command.id) ORDER BY id DESC LIMIT 1",
        (by,),
    ).fetchone()


def changes_of(conn: sqlite3.Connection, command_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM change_log WHERE command_id = ? ORDER BY id", (command_id,)).fetchall()


def revertible(entity: str) -> bool:
    """Whether undo can put back a change to `entity` (a log row written by hand may name anything)."""
    return entity in TABLES


def later_writers(conn: sqlite3.Connection, command_id: int) -> list[sqlite3.Row]:
    """Later, still-standing commands that changed a row this command changed (a concurrent write), or
    that moved a deal this command logged a touch or an action on (the move may have stood on it: an
    exit criterion). On PostgreSQL also the same query as a function that reads past a rep's policies: a
    colleague's later change to a shared customer is logged in rows the author cannot see (schema.py m009;
    the table owner's account, held to no policy, sees them all in the first)."""
    seen = conn.execute(
        f"""
        SELECT DISTINCT c.id, c.name, c.by, c.at
        FROM change_log mine
        JOIN change_log later ON later.command_id > mine.command_id
             AND ((later.entity = mine.entity AND later.entity_id = mine.entity_id)
                  OR (mine.entity IN ('touch', 'action_done') AND mine.op = 'insert'
                      AND later.entity = 'stage_event' AND later.op = 'insert'
                      AND {dialect.json_field(conn, "later.new", "deal_id")} = {dialect.json_field(conn, "mine.new", "deal_id")}))
        JOIN command c ON c.id = later.command_id
        WHERE mine.command_id = ? AND c.undone_by IS NULL AND c.name != 'undo'
        ORDER BY c.id
        """,
        (command_id,),
    ).fetchall()
    if not dialect.is_pg(conn):
        return seen
    hidden = conn.execute("SELECT * FROM salesflow_later_writers(?)", (command_id,)).fetchall()  # a rep's
    return sorted({r["id"]: r for r in [*seen, *hidden]}.values(), key=lambda r: r["id"])


def revert_insert(conn: sqlite3.Connection, undo: Cmd, change: sqlite3.Row) -> None:
    """Delete the row a change-log `insert` created (recording what was deleted)."""
    table, key = change["entity"], change["entity_id"]
    pk, _columns = TABLES[table]
    row = conn.execute(f"SELECT * FROM {table} WHERE {pk} = ?", (key,)).fetchone()
    if row is not None:
        refused_unless_written(conn.execute(f"DELETE FROM {table} WHERE {pk} = ?", (key,)), table, key)
        log_change(conn, undo, table, key, "delete", None, json.dumps(dict(row), ensure_ascii=False), None)


def revert_updates(conn: sqlite3.Connection, undo: Cmd, changes: list[sqlite3.Row]) -> None:
    """Put back the old values of one row's updates in a single UPDATE, so the row never passes
    through a state its CHECK constraints forbid (a lost deal without a close time)."""
    table, key = changes[0]["entity"], changes[0]["entity_id"]
    pk, columns = TABLES[table]
    values: dict[str, object] = {}
    fields_json = None
    for change in changes:  # newest first: the oldest `old` of a field wins
        field = change["field"]
        if table == "deal" and field.startswith("fields."):
            if fields_json is None:
                fields_json = json.loads(conn.execute("SELECT fields FROM deal WHERE id = ?", (key,)).fetchone()[0])
            name = field.split(".", 1)[1]
            if change["old"] is None:
                fields_json.pop(name, None)
            else:
                fields_json[name] = change["old"]
        elif field in columns:
            values[field] = change["old"]
        else:
            raise ValueError(f"cannot revert {table}.{field}")
        log_change(conn, undo, table, key, "update", field, change["new"], change["old"])
    if fields_json is not None:
        values["fields"] = json.dumps(fields_json, ensure_ascii=False, sort_keys=True)
    if table == "customer" and "grade" in values:
        sees_every_deal_of(conn, int(key))
    refused_unless_written(conn.execute(f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in values)} WHERE {pk} = ?",
                                        [*values.values(), key]), table, key)


def mark_undone(conn: sqlite3.Connection, command_id: int, undo_id: int) -> None:
    conn.execute("UPDATE command SET undone_by = ? WHERE id = ?", (undo_id, command_id))
