"""What the store must say differently to SQLite and to PostgreSQL, where one query cannot serve both.

Most of the store's SQL is one text for both: store/pg.py turns SQLite's spellings into PostgreSQL's
(placeholders, scalar MAX/MIN, group_concat, json_each, strftime('%s'), julianday, where NULLs sort).
What remains is here, one function per difference, each returning an SQL fragment for the connection:

| function             | SQLite                               | PostgreSQL                                 |
|----------------------|--------------------------------------|--------------------------------------------|
| `fixed_key`          | `printf('%-19.19s%012d', t, n)`      | `rpad(substr(t, 1, 19), 19) || lpad(n, 12, '0')` |
| `json_field`         | `json_extract(col, '$.key')`         | `(CAST(col AS json) ->> 'key')`            |
| `scan`               | `table NOT INDEXED` (a planner hint) | `table`                                    |
| `next_id`            | None: the rowid key gives the largest + 1 | `salesflow_next_id(table)`: the same, past the policies |
| `ids_given`          | nothing (a rowid key continues from the largest) | move the id sequence past the largest id (`salesflow_ids_given`) |
"""

from __future__ import annotations


def name(conn) -> str:
    return getattr(conn, "dialect", "sqlite")


def is_pg(conn) -> bool:
    return name(conn) == "postgresql"


def fixed_key(conn, text: str, number: str) -> str:
    """A text that sorts like (text, number): the text cut or padded to 19 characters, the number to 12 digits."""
    if is_pg(conn):
        return f"(rpad(substr({text}, 1, 19), 19) || lpad(CAST({number} AS TEXT), 12, '0'))"
    return f"printf('%-19.19s%012d', {text}, {number})"


def json_field(conn, column: str, key: str) -> str:
    if is_pg(conn):
        return f"(CAST({column} AS json) ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def scan(conn, table: str) -> str:
    """The table, read by a full scan where SQLite's planner would otherwise walk an index row by row."""
    return table if is_pg(conn) else f"{table} NOT INDEXED"


def ids_given(conn, table: str) -> None:
    """After rows were inserted with their ids given (a bulk load, an import, a copy): the next id the
    database hands out is past them. SQLite's rowid does that itself; an identity column does not."""
    if is_pg(conn):  # setval needs rights on the sequence that a rep's role has not: the function has them
        conn.execute("SELECT salesflow_ids_given(?)", (table,))


def next_id(conn, table: str) -> int | None:
    """The id a new row of `table` gets: None on SQLite (its rowid key gives the largest so far + 1); on
    PostgreSQL the same number, asked explicitly (an identity sequence would leave gaps where a command
    rolled back, and a rep's policies hide rows whose ids are taken)."""
    if not is_pg(conn):
        return None
    return conn.execute("SELECT salesflow_next_id(?)", (table,)).fetchone()[0]
