"""Queries about reps."""

from __future__ import annotations

import sqlite3

from salesflow.store import dialect

from salesflow.domain.errors import NotFound
from salesflow.i18n import _
from salesflow.domain.records import Rep


def _rep(row: sqlite3.Row) -> Rep:
    return Rep(handle=row["handle"], name=row["name"], role=row["role"], manager=row["manager"],
               team=row["team"], capacity=row["capacity"], active=bool(row["active"]))


def find_rep(conn: sqlite3.Connection, handle_or_name: str) -> Rep | None:
    """By handle, else by display name (`王伟`); either in any case (`WANG`, `moses frase`)."""
    for sql in ("SELECT * FROM rep WHERE handle = ?", "SELECT * FROM rep WHERE name = ? ORDER BY handle LIMIT 1",
                "SELECT * FROM rep WHERE lower(handle) = lower(?) ORDER BY handle LIMIT 1",
                "SELECT * FROM rep WHERE lower(name) = lower(?) ORDER BY handle LIMIT 1"):
        row = conn.execute(sql, (handle_or_name,)).fetchone()
        if row is not None:
            return _rep(row)
    return None


def rep_words(conn: sqlite3.Connection) -> list[str]:
    """Every handle and display name (what a person may have meant)."""
    return [w for row in conn.execute("SELECT handle, name FROM rep ORDER BY handle") for w in row]


def rep_exists(conn: sqlite3.Connection, handle: str) -> bool:
    return conn.execute("SELECT 1 FROM rep WHERE handle = ?", (handle,)).fetchone() is not None


def get_rep(conn: sqlite3.Connection, handle: str) -> Rep:
    rep = find_rep(conn, handle)
    if rep is None:
        raise NotFound(_("no rep {handle!r}").format(handle=handle), hint=_("list reps with: salesflow rep list"))
    return rep


def list_reps(conn: sqlite3.Connection, team: str | None = None, include_inactive: bool = True) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT r.handle, r.name, r.role, r.manager, r.team, r.capacity, r.active,
               (SELECT COUNT(*) FROM deal d WHERE d.owner = r.handle AND d.status = 'open') AS open_deals
        FROM rep r
        WHERE (? IS NULL OR r.team = ?) AND (? OR r.active = 1)
        ORDER BY r.team IS NULL, r.team, CASE r.role WHEN 'admin' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END, r.handle
        """,
        (team, team, include_inactive),
    ).fetchall()


def team_and_manager(conn: sqlite3.Connection) -> dict[str, tuple[str | None, str | None]]:
    """Every rep's handle → (team, manager): how --by team / --by manager group a rep's deals."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT handle, team, manager FROM rep")}


def login_rep(conn: sqlite3.Connection) -> str | None:
    """PostgreSQL: the rep whose database role this session is (None: not a rep's role, or SQLite)."""
    if not dialect.is_pg(conn):
        return None
    row = conn.execute("SELECT handle FROM rep WHERE handle = current_user").fetchone()
    return row[0] if row else None
