"""`export`: whole tables for cron jobs and spreadsheets, with stable columns (README)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from salesflow.app.reps import reps_report
from salesflow.app.views import DEAL_COLUMNS
from salesflow.domain.errors import UsageProblem
from salesflow.output.report import Column, Halves, Report, Stale
from salesflow.store import export as store
from salesflow.store.db import open_reader, path_of

TABLES = ("deals", "touches", "stage-events", "customers", "reps")
SPLIT_FROM = 50_000  # deals: from this many on, two processes share a csv export (output.split)


def export_report(conn: sqlite3.Connection, table: str) -> Report:
    if table not in TABLES:
        raise UsageProblem(f"{table!r} is not something to export", hint="export: " + ", ".join(TABLES))
    if table == "deals":  # every status, the `deals -f csv` columns, streamed as tuples
        return Report("Deals", DEAL_COLUMNS, _deal_rows(conn), tuples=True)
    if table == "reps":
        return reps_report(conn, None)
    if table == "touches":
        return Report("Touches", [Column("touch_id", "int"), Column("deal_id", "int"), Column("kind"),
                                  Column("at", "datetime"), Column("by"), Column("contact"), Column("notes"),
                                  Column("outcome")], (dict(r) for r in store.touches(conn)))
    if table == "stage-events":
        return Report("Stage events", [Column("event_id", "int"), Column("deal_id", "int"), Column("from_stage"),
                                       Column("to_stage"), Column("at", "datetime"), Column("by"), Column("reason"),
                                       Column("forced", "bool")],
                      (dict(r) | {"forced": bool(r["forced"])} for r in store.stage_events(conn)))
    return Report("Customers", [Column("customer_id", "int"), Column("name"), Column("grade"), Column("industry"),
                                Column("created_at", "datetime"), Column("contacts", "int"), Column("deals", "int"),
                                Column("open_deals", "int")], (dict(r) for r in store.customers(conn)))


def _deal_rows(conn: sqlite3.Connection) -> Iterable[tuple]:
    """All deals in one read transaction; a long list as two halves by id, so that a csv export can have the
    second half read and written by a helper process (output.split) — only if it sees the very same data."""
    snapshot = store.begin_snapshot(conn)
    low, high, count = snapshot[2:]
    if count < SPLIT_FROM:
        return store.deals(conn)
    middle = (low + high) // 2
    path = path_of(conn)

    def second_elsewhere() -> Iterable[tuple]:
        reader = open_reader(path)
        if store.begin_snapshot(reader) != snapshot:
            raise Stale(f"{path} changed since the export began")
        return store.deals(reader, after=middle)

    return Halves(lambda: store.deals(conn, upto=middle), lambda: store.deals(conn, after=middle), second_elsewhere)
