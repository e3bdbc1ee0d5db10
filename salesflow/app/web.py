"""`salesflow datasette`: the database in a browser, with the reports a manager reads.

Datasette serves two files, both immutable (read-only): the salesflow database itself, with the
internal tables hidden and the money columns described, and a snapshot of the CLI's own reports
taken when the server starts — `due_today`, `funnel_by_rep`, `stuck`, `board`, `dashboard`, and `deals`
and `touches` with amounts in major units and stage names — so every number on those pages is the
CLI's (`salesflow due --all -f csv` and the rest), as of the start. The metadata is generated for the
database's actual name (Datasette names a database by its file name)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.i18n import _
from salesflow.output.report import Report

REPORTS = "salesflow_reports"  # the snapshot's file stem, so its name in Datasette
HIDDEN = ("change_log", "_sqlite_migrations", "command", "notice", "meta", "forecast_snapshot")


def machine_rows(report: Report) -> tuple[list[str], list[dict[str, Any]]]:
    """A report's rows as its csv carries them (amounts in major units as numbers, ISO times, keys)."""
    from salesflow.output.emit import machine_value

    columns = [c for c in report.columns if c.in_machine]
    rows = []
    for row in report.dict_rows():
        out = {}
        for c in columns:
            value = machine_value(c, row.get(c.key))
            out[c.key] = float(value) if c.kind == "money" and value is not None else value
        rows.append(out)
    return [c.key for c in columns], rows


def snapshot(conn: sqlite3.Connection, now: datetime, path: Path) -> dict[str, int]:
    """Write the reports' rows to `path` (a new file); returns rows per table."""
    from salesflow.app.analytics import FunnelQuery, funnel_report
    from salesflow.app.board import board
    from salesflow.app.dashboard import indicators
    from salesflow.app.due import DueQuery, due_report
    from salesflow.app.export import export_report
    from salesflow.app.team import stuck_report
    from salesflow.store.pipelines import stage_labels
    from salesflow.store.snapshot import write_tables

    reports = {
        "due_today": due_report(conn, DueQuery(all=True), now)[0],
        "funnel_by_rep": funnel_report(conn, FunnelQuery(by="rep"), now),
        "funnel_summary_by_rep": funnel_report(conn, FunnelQuery(by="rep", summary=True), now),
        "stuck": stuck_report(conn, now, None, None),
        "board": board(conn, now)[1],
        "dashboard": indicators(conn, now),
        "deals": export_report(conn, "deals"),
        "touches": export_report(conn, "touches"),
    }
    tables = {name: machine_rows(report) for name, report in reports.items()}
    names = stage_labels(conn)
    for name in ("deals", "funnel_by_rep", "stuck", "board", "due_today"):
        columns, rows = tables[name]
        if "stage" in columns:
            at = columns.index("stage") + 1
            tables[name] = (columns[:at] + ["stage_name", "stage_label_zh"] + columns[at:],
                            [r | {"stage_name": names.get(r["stage"], (None, None))[0],
                                  "stage_label_zh": names.get(r["stage"], (None, None))[1]} for r in rows])
    write_tables(path, tables)
    return {name: len(rows) for name, (_columns, rows) in tables.items()}


def metadata(database: str, now: datetime) -> dict:
    """Datasette metadata for a salesflow database called `database` (its file stem) and the snapshot."""
    from salesflow.store.snapshot import QUERIES

    def query(name: str, title: str, description: str) -> dict:
        return {"sql": QUERIES[name], "title": title, "description": description}

    taken = now.strftime("%Y-%m-%d %H:%M")
    return {
        "title": "salesflow",
        "description": _("The team's deals and the reports a manager reads. The salesflow_reports database holds the CLI's own report rows as of {taken} (restart salesflow datasette to refresh).").format(taken=taken),
        "databases": {
            database: {
                "description": _("The salesflow database itself, read-only. Amounts here are in minor units (fen: 7400000 is 74,000.00); salesflow_reports has them in major units."),
                "tables": {**{t: {"hidden": True} for t in HIDDEN},
                           "deal": {"columns": {"amount": _("minor units (fen): divide by 100")}},
                           "target": {"columns": {"amount": _("minor units (fen): divide by 100")}}},
            },
            REPORTS: {
                "description": _("The CLI's reports as of {taken}: every number equals the command's csv.").format(taken=taken),
                "tables": {
                    "due_today": {"description": "salesflow due --all -f csv"},
                    "funnel_by_rep": {"description": "salesflow funnel --by rep -f csv"},
                    "funnel_summary_by_rep": {"description": "salesflow funnel --by rep --summary -f csv (win_rate = won ÷ (won + lost))"},
                    "stuck": {"description": "salesflow stuck -f csv"},
                    "board": {"description": "salesflow board -f csv"},
                    "dashboard": {"description": "salesflow dashboard -f csv"},
                    "deals": {"description": "salesflow export deals -f csv, with stage names"},
                    "touches": {"description": "salesflow export touches -f csv"},
                },
                "queries": {
                    "due_today_for": query("due_today_for",
                                           _("Due today"), _("The morning list (salesflow due --all), or one rep's (handle).")),
                    "funnel_by_rep": query("funnel_by_rep", _("Funnel by rep"),
                                           _("salesflow funnel --by rep: reached, next_rate = reached the next stage ÷ reached, win rate as won ÷ (won + lost) in funnel --summary.")),
                    "stuck_deals": query("stuck_deals", _("Stuck deals"), "salesflow stuck"),
                    "board_of": query("board_of", _("Board"),
                                      _("salesflow board: cards by stage, overdue first")),
                    "dashboard_now": query("dashboard_now", _("Dashboard"), "salesflow dashboard"),
                },
            },
        },
    }


RESERVED = {REPORTS, "_internal", "_memory"}  # names Datasette gives other databases


def check_name(path: Path) -> None:
    """Datasette opens a file through a URI and names it by its stem: a path with #, ? or % would open
    another file or none, and a reserved stem would take another database's place."""
    if any(ch in str(path) for ch in "#?%"):
        raise BadInput(_("Datasette cannot serve a file whose path contains #, ? or %: {path}").format(path=path),
                       hint=_("copy or rename it, e.g. salesflow --db sales.db datasette"))
    if path.stem in RESERVED:
        raise BadInput(_("{name} is a name Datasette uses itself").format(name=path.stem),
                       hint=_("rename the file, e.g. to sales.db"))


def check_arguments(args: list[str]) -> None:
    """Datasette's own --host/--port after `--` would make the banner wrong: they are salesflow's options."""
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in ("--host", "--port", "-h", "-p", "--immutable", "-i"):
            raise UsageProblem(_("give {name} to salesflow datasette itself, not after --").format(name=name),
                               hint=_("e.g. salesflow datasette --port 8002 --host 127.0.0.1"))


def check_free(host: str, port: int) -> None:
    import socket

    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            raise BadInput(_("cannot listen on {host}:{port}: {reason}").format(host=host, port=port, reason=exc.strerror or exc),
                           hint=_("pick another port: --port {other}").format(other=port + 1 if port < 65535 else 8001)) from None


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise UsageProblem(_("--port {port} must be from 1 to 65535").format(port=port), hint=_("e.g. --port 8001"))
    return port
