"""`doctor`: check that the database is whole, safe and consistent; list every problem."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.app.context import Act, writes
from salesflow.store import analytics, changes, doctor as store, facts
from salesflow.store.changes import Cmd
from salesflow.store.db import RESTORE, Damaged, network_filesystem
from salesflow.i18n import _

OK, PROBLEM, WARNING, SKIPPED = "ok", "problem", "warning", "skipped"


def damaged_report(path: Path, why: str) -> tuple[Report, bool]:
    """The report for a database that cannot even be opened (malformed, truncated): one problem."""
    rows = [{"check": "integrity", "result": PROBLEM, "detail": why}]
    return Report(_("Doctor: {path}").format(path=path), [Column("check", words=labels.CHECKS), Column("result", words=labels.RESULTS), Column("detail")], rows,
                  footer=[_("the other checks need a readable database")]), True


def checkup(conn: sqlite3.Connection, path: Path | str) -> tuple[Report, bool]:
    """The report, and whether anything is a problem (exit 1). A check that a damaged file makes fail is
    itself a problem row, so a malformed database gets a report rather than an error."""
    rows: list[dict] = []

    def note(check: str, result: str, detail: str) -> None:
        rows.append({"check": check, "result": result, "detail": detail})

    try:
        if isinstance(path, str):
            _server_checks(conn, note)
            from salesflow.store.pg import redact

            path = redact(path)
        else:
            _checks(conn, path, note)
        _consistency(conn, note)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a damaged page can hold bytes that are not text
        note("readable", PROBLEM, _("malformed: {exc} (the checks after this one could not run)").format(exc=exc))
    report = Report(_("Doctor: {path}").format(path=path), [Column("check", words=labels.CHECKS), Column("result", words=labels.RESULTS), Column("detail")], rows,
                    footer=[_("exit 1 when any check is a problem; warnings do not fail")])
    return report, any(r["result"] == PROBLEM for r in rows)


def _checks(conn: sqlite3.Connection, path: Path, note) -> None:
    bad = [line for line in store.integrity(conn) if line != "ok"]
    note("integrity", PROBLEM if bad else OK, "; ".join(bad[:5]) if bad else "PRAGMA integrity_check: ok")

    mode = store.journal_mode(conn)
    note(_("journal mode"), OK if mode == "wal" else PROBLEM,
         "wal" if mode == "wal" else _("{mode}: concurrent reps need WAL (PRAGMA journal_mode = WAL)").format(mode=mode))

    applied, current = store.applied_migrations(conn), store.current_schema()
    note("schema", OK if applied == current else PROBLEM,
         _("{name} (current)").format(name=applied[-1]) if applied == current else _("applied {join}; expected {join2}").format(join=', '.join(applied), join2=', '.join(current)))

    loose = []
    for file in [path, Path(f"{path}-wal"), Path(f"{path}-shm"), *sorted(path.parent.glob(f"{path.name}.*.bak"))]:
        if file.exists() and file.stat().st_mode & 0o077:
            loose.append(f"{file.name} {oct(file.stat().st_mode & 0o777)}")
    note("permissions", PROBLEM if loose else OK,
         (_("readable by others: ") + ", ".join(loose) + _(" (fix: chmod 600 {path}*)").format(path=path)) if loose
         else _("database, -wal, -shm and backups are owner-only"))

    fs = network_filesystem(path)
    note("filesystem", WARNING if fs else OK,
         _("{fs}: SQLite locking is not safe on a network filesystem; keep the file on a local disk").format(fs=fs) if fs else _("local"))


def _server_checks(conn, note) -> None:
    """PostgreSQL: the schema version and row-level security; the file checks are the server's."""
    from salesflow.store import access, pg

    note("file checks", SKIPPED, _("PostgreSQL keeps the files: integrity (pg_amcheck), WAL, permissions and disks are the server's"))
    applied, current = pg.applied(conn), store.current_schema()
    note("schema", OK if applied == current else PROBLEM,
         _("{name} (current)").format(name=applied[-1]) if applied == current else _("applied {join}; expected {join2}").format(join=', '.join(applied), join2=', '.join(current)))
    collation = access.collation(conn)
    byte_order = collation.split(".")[0] in ("C", "POSIX")
    note("collation", OK if byte_order else WARNING,
         _("{collation}: text sorts by bytes, as on SQLite").format(collation=collation) if byte_order else
         _("{collation}: names and notes sort by this locale's rules, not by bytes as on SQLite (create the database with --locale=C.UTF-8 for the same order)").format(collation=collation))
    open_tables = access.tables_without_rls(conn)
    note("row security", PROBLEM if open_tables else OK,
         _("not enabled on: {tables}").format(tables=", ".join(open_tables)) if open_tables
         else _("enabled on every table: each rep's role sees only what its policies allow"))


def _consistency(conn, note) -> None:
    orphans = store.orphans(conn)
    note(_("orphan rows"), PROBLEM if orphans else OK,
         ", ".join(f"{t} row {r} → missing {p}" for t, r, p in orphans[:5]) + (" …" if len(orphans) > 5 else "")
         if orphans else _("every reference points to a row"))

    mismatched = store.stage_mismatches(conn)
    note(_("stages vs events"), PROBLEM if mismatched else OK,
         ", ".join(f"#{d} is in {s} but its events end in {e or 'nothing'}" for d, s, e in mismatched[:5])
         if mismatched else _("every deal's stage is where its last stage event put it"))

    stored, rebuilt = analytics.progress_stored(conn), analytics.progress_from_events(conn)
    differ = sorted(d for d in set(stored) | set(rebuilt) if stored.get(d) != rebuilt.get(d))
    note("progressed_at", PROBLEM if differ else OK,
         (_("{n} deal(s) differ from a rebuild from stage events: ").format(n=len(differ))
          + ", ".join(f"#{d}" for d in differ[:10])) if differ else _("equals a rebuild from stage events"))

    differ = facts.differences(conn)
    deals = sorted(set(differ["deal_fact"]) | set(differ["stage_days"]))
    note(_("derived facts"), PROBLEM if deals else OK,
         (_("{n} deal(s) differ from a rebuild from the base tables: ").format(n=len(deals))
          + ", ".join(f"#{d}" for d in deals[:10]) + _(" (fix: salesflow doctor --repair)"))
         if deals else _("equal a rebuild from the base tables (deal_fact, stage_days)"))


@writes
def repair(conn: sqlite3.Connection, cmd: Cmd, act: Act) -> list[str]:
    """Rebuild what is derived: every deal's stored facts, and progressed_at where it differs from the
    stage events (logged, so `undo` can take it back)."""
    damage = store.quick_check(conn)
    if damage:  # rebuilding on a damaged file would spread what is wrong: nothing is written
        raise Damaged(_("the database is damaged (SQLite: {detail}); --repair rebuilds derived facts, not a damaged file")
                      .format(detail="; ".join(damage)[:200]), hint=_(RESTORE))
    before = facts.differences(conn)
    facts.rebuild(conn)
    stored, rebuilt = analytics.progress_stored(conn), analytics.progress_from_events(conn)
    wrong = sorted(d for d in set(stored) | set(rebuilt) if stored.get(d) != rebuilt.get(d))
    for deal in wrong:
        changes.update(conn, cmd, "deal", deal, {"progressed_at": rebuilt.get(deal)})
    n = len(set(before["deal_fact"]) | set(before["stage_days"]))
    return [_("derived facts rebuilt ({n} deal(s) differed)").format(n=n),
            _("progressed_at rebuilt from the stage events ({n} deal(s) differed)").format(n=len(wrong))]
