"""Queries behind `import`: lookups loaded once per file, id allocation, and the change log of bulk inserts.

An import inserts in batches with `executemany` (bulk.insert_many) inside the command's one transaction.
Its inserts are logged one change-log row per created row with no `new` JSON (the row itself is the
record): that keeps `undo` able to revert an import without doubling the cost of writing it.
"""

from __future__ import annotations

import json
import sqlite3

from salesflow.store import dialect
from salesflow.store.changes import TABLES, Cmd


def reps(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT handle, name FROM rep").fetchall()


def customers(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT name_key, id FROM customer"))


def contacts(conn: sqlite3.Connection) -> dict[tuple[int, str], int]:
    return {(c, n): i for i, c, n in conn.execute("SELECT id, customer_id, name FROM contact")}


def deal_keys(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT external_id, id FROM deal WHERE external_id IS NOT NULL"))


def deal_ids(conn: sqlite3.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT id FROM deal")}


def next_id(conn: sqlite3.Connection, table: str) -> int:
    pk, _columns = TABLES[table]
    if dialect.is_pg(conn):  # past a rep's policies: the largest id of every row
        return dialect.next_id(conn, table)
    return (conn.execute(f"SELECT MAX({pk}) FROM {table}").fetchone()[0] or 0) + 1


def deal_row(conn: sqlite3.Connection, deal_id: int) -> sqlite3.Row:
    return conn.execute("SELECT * FROM deal WHERE id = ?", (deal_id,)).fetchone()


def log_inserts(conn: sqlite3.Connection, cmd: Cmd, entity: str, keys: list[int]) -> None:
    """One change-log row per inserted row, written by one statement per batch: the ids as a range read
    back from the table when they are consecutive (an import's usual case), else as one JSON array."""
    if entity not in TABLES:
        raise ValueError(f"unknown table {entity}")
    if not keys:
        return
    pk, _columns = TABLES[entity]
    low, high = min(keys), max(keys)
    if pk == "id" and high - low + 1 == len(keys):  # distinct ids filling low…high: exactly that range's rows
        conn.execute(
            "INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
            f" SELECT ?, ?, CAST({pk} AS TEXT), 'insert', ?, ? FROM {entity} WHERE {pk} BETWEEN ? AND ? ORDER BY {pk}",
            (cmd.id, entity, cmd.at, cmd.by, low, high))
        return
    conn.execute(
        "INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
        " SELECT ?, ?, value, 'insert', ?, ? FROM json_each(?)",
        (cmd.id, entity, cmd.at, cmd.by, json.dumps([str(k) for k in keys])))


def touch_exists(conn: sqlite3.Connection, deal_id: int, kind: str, at: str, notes: str | None) -> bool:
    """The natural key of a touch: the same deal, kind, time and notes is the same touch."""
    return conn.execute(
        "SELECT 1 FROM touch WHERE deal_id = ? AND at = ? AND kind = ? AND (notes = ? OR (notes IS NULL AND ? IS NULL))"
        " LIMIT 1", (deal_id, at, kind, notes, notes)).fetchone() is not None

