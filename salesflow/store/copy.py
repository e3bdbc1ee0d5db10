"""`salesflow copy`: every row of one database into another, of either kind, ids kept.

The tables in an order where every row's references are already there (a rep's manager before the rep,
a command's `undone_by` set after all commands are in), read in id order in batches and written in the
target's one transaction: with COPY into PostgreSQL (for a role no row-level security binds: PostgreSQL
refuses COPY FROM under it), else with executemany.
"""

from __future__ import annotations

from collections.abc import Iterator

from salesflow.store import dialect

# Parents before children. The derived tables are copied too (they equal a rebuild, doctor checks).
TABLES = ["meta", "pipeline", "stage", "rep", "customer", "contact", "command", "deal", "stage_event", "touch",
          "escalation", "target", "forecast_snapshot", "change_log", "notice", "action_done", "touch_score",
          "deal_fact", "stage_days"]
_BATCH = 5_000


def columns(conn, table: str) -> list[str]:
    if dialect.is_pg(conn):
        return [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ? ORDER BY ordinal_position", (table,))]
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def holds_rows(conn) -> list[str]:
    """The tables that are not empty."""
    return [t for t in TABLES if conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is not None]


def _order(table: str) -> str:
    keys = {"meta": "key", "pipeline": "position, key", "stage": "pipeline, key", "rep": "handle",
            "forecast_snapshot": "taken_on, month, rep", "notice": "key", "deal_fact": "deal_id",
            "stage_days": "pipeline, stage, seconds, deal_id"}
    return keys.get(table, "id")


def rows(conn, table: str, names: list[str]) -> Iterator[list[tuple]]:
    """The table's rows in batches, in key order (reps: managers first)."""
    if table == "rep":  # a manager before the reps who name them
        found = [tuple(r) for r in conn.execute(f"SELECT {', '.join(names)} FROM rep ORDER BY handle")]
        at = names.index("manager")
        placed: set = set()
        ordered: list[tuple] = []
        while found:
            ready = [r for r in found if r[at] is None or r[at] in placed]
            if not ready:  # a loop of managers (no command writes one): keep the rest as they are
                ready = found
            ordered += ready
            placed |= {r[names.index("handle")] for r in ready}
            found = [r for r in found if r not in ready]
        yield ordered
        return
    cursor = conn.cursor()
    cursor.row_factory = None
    batch: list[tuple] = []
    for row in cursor.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {_order(table)}"):
        batch.append(tuple(row))
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(conn, table: str, names: list[str], batch: list[tuple]) -> None:
    if dialect.is_pg(conn) and not conn.bound_by_policies(table):  # the tables' owner: COPY, many times faster
        conn.copy_in(table, names, batch)
        return
    conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})", batch)


def ids_given(conn, table: str, names: list[str]) -> None:
    if "id" in names:
        dialect.ids_given(conn, table)


def set_undone(conn, pairs: list[tuple[int, int]]) -> None:
    """(undone_by, id) of the commands an undo reverted."""
    conn.executemany("UPDATE command SET undone_by = ? WHERE id = ?", pairs)
