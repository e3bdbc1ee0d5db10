"""Reps: `rep add`, `rep set`, `rep list`."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from salesflow.app.context import Act, writes
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, NotFound, Refused
from salesflow.domain.vocabulary import ROLES
from salesflow.domain.text import clean_text
from salesflow.output.report import Column, Report
from salesflow.store import changes
from salesflow.store import reps as store
from salesflow.store.changes import Cmd

_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}\Z")


@dataclass(frozen=True)
class RepInput:
    name: str | None = None
    role: str | None = None
    manager: str | None = None
    team: str | None = None
    capacity: int | None = None
    active: bool | None = None


@writes
def add_rep(conn: sqlite3.Connection, cmd: Cmd, handle: str, data: RepInput, act: Act) -> str:
    handle = handle.strip()
    if not _HANDLE.match(handle):
        raise BadInput(f"handle {handle!r} is not a handle",
                       hint="use lower-case letters, digits, '.', '-' or '_' (e.g. wang or li.na), at most 32")
    values = _values(conn, data, handle)
    if store.rep_exists(conn, handle):
        raise Refused(f"rep {handle!r} already exists", hint=f"change it with: salesflow rep set {handle} …")
    values.setdefault("name", handle)
    changes.insert(conn, cmd, "rep", {"handle": handle, **values, "created_at": iso(act.now)})
    return f"added rep {handle} ({values['name']}, {values.get('role', 'rep')})"


@writes
def set_rep(conn: sqlite3.Connection, cmd: Cmd, handle: str, data: RepInput, act: Act) -> str:
    rep = store.get_rep(conn, handle)
    values = _values(conn, data, rep.handle)
    if not values:
        raise BadInput("nothing to change", hint="give at least one of --name --role --manager --team --capacity --active/--inactive")
    changed = changes.update(conn, cmd, "rep", rep.handle, values)
    if not changed:
        return f"rep {rep.handle}: nothing changed"
    return f"rep {rep.handle}: " + ", ".join(f"{k} {_show(old)} → {_show(new)}" for k, (old, new) in changed.items())


def _show(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _values(conn: sqlite3.Connection, data: RepInput, handle: str) -> dict:
    values: dict = {}
    if data.name is not None:
        values["name"] = clean_text(data.name, "name", max_len=100, required=True)
    if data.role is not None:
        if data.role not in ROLES:
            raise BadInput(f"role {data.role!r} is not a role", hint="roles: " + ", ".join(ROLES))
        values["role"] = data.role
    if data.manager is not None:
        if data.manager == "":
            values["manager"] = None
        else:
            manager = store.find_rep(conn, data.manager)
            if manager is None:
                raise NotFound(f"no rep {data.manager!r} to be the manager", hint=f"add them first: salesflow rep add {data.manager} --role manager")
            if manager.handle == handle:
                raise BadInput(f"{handle} cannot be their own manager")
            values["manager"] = manager.handle
    if data.team is not None:
        values["team"] = clean_text(data.team, "team", max_len=100)
    if data.capacity is not None:
        if not 0 <= data.capacity <= 100_000:
            raise BadInput(f"capacity {data.capacity} is " + ("negative" if data.capacity < 0 else "out of range"),
                           hint="capacity is the most open deals a rep should carry, e.g. 50 (at most 100,000)")
        values["capacity"] = data.capacity
    if data.active is not None:
        values["active"] = int(data.active)
    return values


def no_rep(conn: sqlite3.Connection, typed: str, hint: str | None = None) -> NotFound:
    """The error for a rep nobody has: "did you mean wang?" for a near miss, else how to add one."""
    from salesflow.domain.choose import suggest

    guess = suggest(typed, store.rep_words(conn))
    if guess is not None:
        found = store.find_rep(conn, guess)
        return NotFound(f"no rep {typed!r} — did you mean {found.handle if found else guess}?",
                        hint=hint or "list reps with: salesflow rep list")
    return NotFound(f"no rep {typed!r}",
                    hint=hint or f"list reps with: salesflow rep list, or add one: salesflow rep add {typed} --name …")


def resolve_owner(conn: sqlite3.Connection, owner: str | None) -> str | None:
    """A rep handle for an owner given by handle or display name; '' or None = unassigned."""
    if owner is None or owner.strip() == "":
        return None
    rep = store.find_rep(conn, owner.strip())
    if rep is None:
        raise no_rep(conn, owner.strip())
    if not rep.active:
        raise Refused(f"rep {rep.handle} is inactive", hint=f"reactivate with: salesflow rep set {rep.handle} --active")
    return rep.handle


def reps_report(conn: sqlite3.Connection, team: str | None) -> Report:
    rows = [dict(r) | {"active": bool(r["active"])} for r in store.list_reps(conn, team)]
    return Report(
        title="Reps" + (f" — team {team}" if team else ""),
        columns=[Column("handle"), Column("name"), Column("role"), Column("manager"), Column("team"),
                 Column("capacity", "int"), Column("active", "bool"), Column("open_deals", "int")],
        rows=rows,
        empty="no reps yet — add one with: salesflow rep add HANDLE --name NAME",
    )
