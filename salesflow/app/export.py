"""`export`: whole tables for cron jobs and spreadsheets, with stable columns (README)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from salesflow.app.reps import reps_report
from salesflow.app.views import DEAL_COLUMNS
from salesflow.domain.errors import UsageProblem
from salesflow.output.report import Column, Report
from salesflow.store import export as store
from salesflow.i18n import _

TABLES = ("deals", "touches", "stage-events", "customers", "reps")


def export_report(conn: sqlite3.Connection, table: str) -> Report:
    if table not in TABLES:
        raise UsageProblem(_("{table!r} is not something to export").format(table=table), hint=_("export: ") + ", ".join(TABLES))
    if table == "deals":  # every status, the `deals -f csv` columns, streamed as tuples
        return Report(_("Deals"), DEAL_COLUMNS, _deal_rows(conn), tuples=True)
    if table == "reps":
        return reps_report(conn, None)
    if table == "touches":
        return Report(_("Touches"), [Column("touch_id", "id"), Column("deal_id", "id"), Column("kind"),
                                  Column("at", "datetime"), Column("by"), Column("contact"), Column("notes"),
                                  Column("outcome"), Column("template"), Column("steps", "json")],
                      (dict(r) for r in store.touches(conn)))
    if table == "stage-events":
        return Report(_("Stage events"), [Column("event_id", "id"), Column("deal_id", "id"), Column("from_stage"),
                                       Column("to_stage"), Column("at", "datetime"), Column("by"), Column("reason"),
                                       Column("forced", "bool")],
                      (dict(r) | {"forced": bool(r["forced"])} for r in store.stage_events(conn)))
    return Report(_("Customers"), [Column("customer_id", "id"), Column("name"), Column("grade"), Column("industry"),
                                Column("created_at", "datetime"), Column("contacts", "int"), Column("deals", "int"),
                                Column("open_deals", "int")], (dict(r) for r in store.customers(conn)))


def _deal_rows(conn: sqlite3.Connection) -> Iterable[tuple]:
    """All deals, streamed by one SELECT (one consistent read, whatever is written meanwhile).

    A csv export of a million deals once had a forked helper write its second half: 41 % faster on an idle
    machine, 19 % with one core busy (200,000 deals: 4.44 s alone, 3.61 s forked). Cron hosts are rarely
    idle, so one process writes it all."""
    return store.deals(conn)
