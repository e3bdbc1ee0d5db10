"""The import's writer: ids from counters, rows buffered per table, written with executemany.

Everything happens inside the command's one write transaction (the caller is `@writes`): the counters
start from the tables' current maximum read under the lock, so two imports can never be given the same
ids. Inserted rows get one change-log row each (`store.imports.log_inserts`), so `undo` reverts an import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from salesflow.store import bulk
from salesflow.store import imports as store
from salesflow.store.changes import Cmd

BATCH = 5_000

DEAL_COLS = ("id", "title", "customer_id", "contact_id", "owner", "assigned_at", "pipeline", "stage", "status",
             "amount", "close_date", "source", "next_followup", "created_at", "stage_entered_at", "progressed_at",
             "closed_at", "lost_reason", "lost_from_stage", "external_id", "fields", "history", "guessed",
             "last_activity_at", "review_from")
EVENT_COLS = ("id", "deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced", "command_id")
TOUCH_COLS = ("id", "deal_id", "kind", "at", "by", "contact_id", "notes", "outcome", "command_id")
CUSTOMER_COLS = ("id", "name", "name_key", "grade", "industry", "created_at")
CONTACT_COLS = ("id", "customer_id", "name", "phone", "email", "created_at")
COLUMNS = {"customer": CUSTOMER_COLS, "contact": CONTACT_COLS, "deal": DEAL_COLS, "stage_event": EVENT_COLS,
           "touch": TOUCH_COLS}


class Writer:
    """Buffers new rows by table and writes them in dependency order (customers before their deals)."""

    def __init__(self, conn: sqlite3.Connection, cmd: Cmd, tables: Sequence[str], taken_deal_ids: set[int] = frozenset()):
        self.conn, self.cmd = conn, cmd
        self.tables = tuple(tables)
        self.next = {t: store.next_id(conn, t) for t in self.tables}
        self.pending: dict[str, list[tuple]] = {t: [] for t in self.tables}
        self.taken = taken_deal_ids  # deal ids a salesflow export brought in: never given out again
        self.pending_ids: set[int] = set()  # deals created but not yet written

    def allocate(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        if table == "deal":
            while value in self.taken:
                value = self.next[table]
                self.next[table] += 1
        return value

    def add(self, table: str, row: tuple) -> None:
        self.pending[table].append(row)
        if table == "deal":
            self.pending_ids.add(row[0])
            if len(self.pending["deal"]) >= BATCH:
                self.flush()
        elif table == "touch" and len(self.pending["touch"]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            rows = self.pending[table]
            if rows:
                bulk.insert_many(self.conn, table, COLUMNS[table], rows)
                deal = 0 if table == "deal" else COLUMNS[table].index("deal_id") if table in ("touch", "stage_event") else None
                if deal is not None:  # their derived facts are refreshed before the import commits
                    self.cmd.affected.update(r[deal] for r in rows)
                store.log_inserts(self.conn, self.cmd, table, [r[0] for r in rows])
                self.pending[table] = []
        self.pending_ids = set()
