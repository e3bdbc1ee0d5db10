"""`import reps`: a team sheet (name, handle, role, manager, team) in one transaction.

Reps are matched by handle or display name (as deal owners are), so a sheet brought in after
`import deals --create-reps` completes the reps that import made. A missing handle is made from the
name as `--create-reps` does (`Moses Frase` → `moses-frase`). Managers are matched the same way,
among the reps already here and those of the sheet (in any order); one not found is an error that
lists them all, unless `--create-reps` adds them with role `manager`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from salesflow.app.context import Act, Outcome, RollBack, writes
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.domain.text import clean_text
from salesflow.domain.vocabulary import ROLES
from salesflow.ingest.files import normalise_header, open_table
from salesflow.ingest.presets import parse_maps
from salesflow.ingest.values import handle_slug
from salesflow.store import changes
from salesflow.store import imports as import_store
from salesflow.store import reps as store
from salesflow.store.changes import Cmd
from salesflow.i18n import _

REP_FIELDS = ("handle", "name", "role", "manager", "team", "capacity")
_ALIASES = {
    "handle": "handle", "login": "handle", "账号": "handle", "用户名": "handle",
    "name": "name", "display name": "name", "姓名": "name", "销售": "name", "负责人": "name",
    "role": "role", "角色": "role", "manager": "manager", "经理": "manager", "主管": "manager", "上级": "manager",
    "team": "team", "团队": "team", "部门": "team", "capacity": "capacity", "容量": "capacity",
}


def import_reps(conn: sqlite3.Connection, path: Path, maps: tuple[str, ...], create_reps: bool, dry_run: bool,
                act: Act) -> Outcome:
    pairs = parse_maps(list(maps))
    for _source, target in pairs:
        if target not in REP_FIELDS and target != "-":
            raise UsageProblem(_("--map target {target!r} is not a rep field").format(target=target), hint=_("fields: ") + ", ".join(REP_FIELDS))
    sources = {source for source, _ in pairs}
    table = open_table(path, is_header=lambda cells: bool(sources & {normalise_header(c) for c in cells})
                       or sum(normalise_header(c) in _ALIASES for c in cells) >= 2)
    columns: dict[str, int] = {}
    header = [normalise_header(c) for c in table.header]
    for source, target in pairs:
        if source not in header:
            raise UsageProblem(_("--map source {source!r} is not a column of the file").format(source=source),
                               hint=_("columns: ") + ", ".join(c for c in table.header if c)[:300])
        if target != "-":
            columns.setdefault(target, header.index(source))
    for index, cell in enumerate(header):
        field = _ALIASES.get(cell)
        if field and field not in columns and cell not in sources:
            columns[field] = index
    if "name" not in columns and "handle" not in columns:
        raise BadInput(_("{name}: no column names the reps").format(name=path.name),
                       hint=_("map one with --map 'Column=name' (display name) or --map 'Column=handle'"))
    rows = []
    for line, cells in table.rows:
        get = {f: (cells[i].strip() if i < len(cells) else "") for f, i in columns.items()}
        try:
            rows.append((line, _row(get)))
        except BadInput as bad:
            raise BadInput(f"{path.name}:{line}: {bad.message}", hint=bad.hint) from None
    if not rows:
        raise BadInput(_("{name} has a header but no data rows").format(name=path.name), hint=_("export the sheet again, with its rows"))
    return _write(conn, path, rows, create_reps, dry_run, act)


def _row(get: dict[str, str]) -> dict:
    name = clean_text(get.get("name"), "name", max_len=100)
    handle = clean_text(get.get("handle"), "handle", max_len=32)
    if name is None and handle is None:
        raise BadInput(_("the row names no rep"))
    role = (get.get("role") or "").strip().lower() or None
    if role is not None and role not in ROLES:
        raise BadInput(_("role {role!r} is not a role").format(role=role), hint=_("roles: ") + ", ".join(ROLES))
    capacity = get.get("capacity") or None
    if capacity is not None and (not capacity.isdigit() or int(capacity) > 100_000):
        raise BadInput(_("capacity {capacity!r} is not a number from 0 to 100,000").format(capacity=capacity))
    return {"name": name, "handle": handle, "role": role, "manager": clean_text(get.get("manager"), "manager", max_len=100),
            "team": clean_text(get.get("team"), "team", max_len=100), "capacity": int(capacity) if capacity else None}


@writes
def _write(conn: sqlite3.Connection, cmd: Cmd, path: Path, rows: list, create_reps: bool, dry_run: bool,
           act: Act) -> Outcome:
    reps = import_store.reps(conn)
    known = {normalise_header(name): handle for handle, name in reps} | {handle: handle for handle, _ in reps}
    created = 0
    touched: set[str] = set()
    handles: list[tuple[int, str, dict]] = []
    for line, r in rows:  # first every rep, then the managers (a manager may come later in the sheet)
        handle = (known.get(r["handle"]) if r["handle"] else None) or known.get(normalise_header(r["name"] or "")) \
            or r["handle"] or handle_slug(r["name"])
        values = {k: r[k] for k in ("name", "role", "team", "capacity") if r[k] is not None}
        if store.rep_exists(conn, handle):
            if values and changes.update(conn, cmd, "rep", handle, values):
                touched.add(handle)
        else:
            changes.insert(conn, cmd, "rep", {"handle": handle, "name": r["name"] or handle, **values,
                                               "created_at": iso(act.now)})
            created += 1
        known[handle] = handle
        known[normalise_header(r["name"] or handle)] = handle
        handles.append((line, handle, r))
    missing: dict[str, int] = {}
    for line, handle, r in handles:
        if not r["manager"]:
            continue
        manager = known.get(r["manager"]) or known.get(normalise_header(r["manager"]))
        if manager is None and create_reps:
            manager = handle_slug(r["manager"])
            if not store.rep_exists(conn, manager):
                changes.insert(conn, cmd, "rep", {"handle": manager, "name": r["manager"], "role": "manager",
                                                   "created_at": iso(act.now)})
                created += 1
            known[normalise_header(r["manager"])] = manager
        if manager is None:
            missing[r["manager"]] = missing.get(r["manager"], 0) + 1
            continue
        if manager == handle:
            raise BadInput(_("{name}:{line}: {handle} cannot be their own manager").format(name=path.name, line=line, handle=handle))
        if changes.update(conn, cmd, "rep", handle, {"manager": manager}):
            touched.add(handle)
    if missing:
        raise BadInput(_("{name}: unknown managers; nothing was imported").format(name=path.name),
                       details=[", ".join(f"{m!r} ({n} row{'s' if n != 1 else ''})" for m, n in missing.items())],
                       hint=_("add them with salesflow rep add, list them in the sheet, or pass --create-reps"))
    new = {h for _, h, _ in handles} - {h for h, _ in reps}
    updated = len(touched - new)
    out = Outcome(lines=[_("{value} {name}: {n} rows → {created} reps created, {updated} updated, {n2} unchanged").format(value=_('would import') if dry_run else _('imported'), name=path.name, n=len(rows), created=created, updated=updated, n2=len(handles) - len(new) - updated)])
    if dry_run:
        out.notes.append(_("dry run: nothing was written"))
        raise RollBack(out)
    return out
