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
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store import changes, dialect
from salesflow.store import reps as store
from salesflow.store.changes import Cmd
from salesflow.i18n import _

_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}\Z")


@dataclass(frozen=True)
class RepInput:
    name: str | None = None
    role: str | None = None
    manager: str | None = None
    team: str | None = None
    capacity: int | None = None
    active: bool | None = None
    login: bool = False  # PostgreSQL: a database role named by the handle (store/access.py)


@writes
def add_rep(conn: sqlite3.Connection, cmd: Cmd, handle: str, data: RepInput, act: Act) -> str:
    _check_login(conn, data)
    handle = handle.strip()
    if not _HANDLE.match(handle):
        raise BadInput(_("handle {handle!r} is not a handle").format(handle=handle),
                       hint=_("use lower-case letters, digits, '.', '-' or '_' (e.g. wang or li.na), at most 32"))
    values = _values(conn, data, handle)
    if store.rep_exists(conn, handle):
        raise Refused(_("rep {handle!r} already exists").format(handle=handle), hint=_("change it with: salesflow rep set {handle} …").format(handle=handle))
    values.setdefault("name", handle)
    changes.insert(conn, cmd, "rep", {"handle": handle, **values, "created_at": iso(act.now)})
    return _("added rep {handle} ({name}, {get})").format(handle=handle, name=values['name'], get=values.get('role', 'rep')) + _login(conn, handle, data)


def _login(conn: sqlite3.Connection, handle: str, data: RepInput) -> str:
    """--login: the rep's database role, in this command's transaction (a refused command creates none)."""
    if not data.login:
        return ""
    from salesflow.store import access

    created = access.link_login(conn, handle)
    return ("; " + (_("database role {handle} created (LOGIN, no password: the server's admin sets how it signs in,"
                      " e.g. ALTER ROLE {handle} PASSWORD …)") if created else
                    _("existing database role {handle} linked")).format(handle=handle))


def _check_login(conn: sqlite3.Connection, data: RepInput) -> None:
    if data.login and not dialect.is_pg(conn):
        raise BadInput(_("--login is for a PostgreSQL database: an SQLite file has no logins (whoever opens it sees everything)"),
                       hint=_("share an SQLite file on one host (ssh HOST salesflow …), or move to PostgreSQL with: salesflow copy"))


@writes
def set_rep(conn: sqlite3.Connection, cmd: Cmd, handle: str, data: RepInput, act: Act) -> str:
    _check_login(conn, data)
    rep = store.get_rep(conn, handle)
    values = _values(conn, data, rep.handle)
    if not values and not data.login:
        raise BadInput(_("nothing to change"), hint=_("give at least one of --name --role --manager --team --capacity --active/--inactive --login"))
    changed = changes.update(conn, cmd, "rep", rep.handle, values) if values else {}
    login = _login(conn, rep.handle, data).lstrip("; ")
    if not changed:
        return login or _("rep {handle}: nothing changed").format(handle=rep.handle)
    return f"rep {rep.handle}: " + ", ".join(f"{k} {_show(old)} → {_show(new)}" for k, (old, new) in changed.items()) + (
        f"; {login}" if login else "")


def _show(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _values(conn: sqlite3.Connection, data: RepInput, handle: str) -> dict:
    values: dict = {}
    if data.name is not None:
        values["name"] = clean_text(data.name, "name", max_len=100, required=True)
    if data.role is not None:
        if data.role not in ROLES:
            raise BadInput(_("role {role!r} is not a role").format(role=data.role), hint=_("roles: ") + ", ".join(ROLES))
        values["role"] = data.role
    if data.manager is not None:
        if data.manager == "":
            values["manager"] = None
        else:
            manager = store.find_rep(conn, data.manager)
            if manager is None:
                raise NotFound(_("no rep {manager!r} to be the manager").format(manager=data.manager), hint=_("add them first: salesflow rep add {manager} --role manager").format(manager=data.manager))
            if manager.handle == handle:
                raise BadInput(_("{handle} cannot be their own manager").format(handle=handle))
            above, seen = manager, {manager.handle}
            while above is not None and above.manager and above.manager not in seen:  # up the chain
                if above.manager == handle:
                    raise BadInput(_("{manager} already reports to {handle}: that would make a loop of managers").format(
                        manager=manager.handle, handle=handle), hint=_("change {manager}'s manager first").format(manager=manager.handle))
                seen.add(above.manager)
                above = store.find_rep(conn, above.manager)
            values["manager"] = manager.handle
    if data.team is not None:
        values["team"] = clean_text(data.team, "team", max_len=100)
    if data.capacity is not None:
        if not 0 <= data.capacity <= 100_000:
            raise BadInput(_("capacity {capacity} is ").format(capacity=data.capacity) + ("negative" if data.capacity < 0 else _("out of range")),
                           hint=_("capacity is the most open deals a rep should carry, e.g. 50 (at most 100,000)"))
        values["capacity"] = data.capacity
    if data.active is not None:
        values["active"] = int(data.active)
    return values


def logged_in_as(conn: sqlite3.Connection, given: str, explicit: str | None) -> str:
    """Who acts, on PostgreSQL: the rep whose database role this session logged in as (the policies see
    that role), so --as may only name it; an account that is no rep (the tables' owner, an admin's) acts
    as --as says."""
    login = store.login_rep(conn)
    if login is None:
        return handle_of(conn, given) or given
    if explicit is not None and (handle_of(conn, explicit) or explicit) != login:
        raise Refused(_("you are logged in to the database as {login}; --as {rep} would act as someone else").format(
            login=login, rep=explicit), hint=_("log in as that rep's role, or leave out --as"))
    return login


def handle_of(conn: sqlite3.Connection, typed: str) -> str | None:
    """The handle of the rep `typed` names (handle or display name, any case), or None."""
    rep = store.find_rep(conn, typed.strip())
    return rep.handle if rep is not None else None


def no_rep(conn: sqlite3.Connection, typed: str, hint: str | None = None) -> NotFound:
    """The error for a rep nobody has: "did you mean wang?" for a near miss, else how to add one."""
    from salesflow.domain.choose import suggest

    guess = suggest(typed, store.rep_words(conn))
    if guess is not None:
        found = store.find_rep(conn, guess)
        return NotFound(_("no rep {typed!r} — did you mean {value}?").format(typed=typed, value=found.handle if found else guess),
                        hint=hint or _("list reps with: salesflow rep list"))
    return NotFound(_("no rep {typed!r}").format(typed=typed),
                    hint=hint or _("list reps with: salesflow rep list, or add one: salesflow rep add {typed} --name …").format(typed=typed))


def resolve_owner(conn: sqlite3.Connection, owner: str | None) -> str | None:
    """A rep handle for an owner given by handle or display name; '' or None = unassigned."""
    if owner is None or owner.strip() == "":
        return None
    rep = store.find_rep(conn, owner.strip())
    if rep is None:
        raise no_rep(conn, owner.strip())
    if not rep.active:
        raise Refused(_("rep {handle} is inactive").format(handle=rep.handle), hint=_("reactivate with: salesflow rep set {handle} --active").format(handle=rep.handle))
    return rep.handle


def reps_report(conn: sqlite3.Connection, team: str | None) -> Report:
    rows = [dict(r) | {"active": bool(r["active"])} for r in store.list_reps(conn, team)]
    return Report(
        title=_("Reps — team {team}").format(team=team) if team else _("Reps"),
        columns=[Column("handle"), Column("name"), Column("role", words=labels.ROLES), Column("manager"), Column("team"),
                 Column("capacity", "int"), Column("active", "bool"), Column("open_deals", "int")],
        rows=rows,
        empty=_("no reps yet — add one with: salesflow rep add HANDLE --name NAME"),
    )
