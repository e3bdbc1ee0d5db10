"""Assignment and escalation: `assign` and the cron job `sweep`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from salesflow.app.context import Act, RollBack, writes
from salesflow.app.due import Pipelines
from salesflow.domain.assignment import Candidate, pick, take
from salesflow.domain.dates import iso
from salesflow.domain.errors import NotFound, Refused
from salesflow.store import changes
from salesflow.store import due as store
from salesflow.store.changes import Cmd
from salesflow.i18n import _


@dataclass
class SweepResult:
    actions: list[str] = field(default_factory=list)  # what this run changed
    notices: list[str] = field(default_factory=list)  # conditions told for the first time (each said once)
    breaches: int = 0


def _candidates(conn: sqlite3.Connection, team: str | None, now: datetime) -> list[Candidate]:
    rows = store.reps_for_assignment(conn, team, iso(now - timedelta(hours=24)))
    return [Candidate(r["handle"], r["team"], r["capacity"], r["open_deals"], r["recent"]) for r in rows]


def _give(conn: sqlite3.Connection, cmd: Cmd | None, deal_id: int, who: Candidate, now: datetime) -> str:
    before = f"{who.open_deals}/{who.capacity}"
    take(who)
    if cmd is not None:
        changes.update(conn, cmd, "deal", deal_id, {"owner": who.handle, "assigned_at": iso(now)})
    return _("#{deal_id} → {handle} (open deals {before} → {open_deals}/{capacity})").format(deal_id=deal_id, handle=who.handle, before=before, open_deals=who.open_deals, capacity=who.capacity)


@writes
def assign(conn: sqlite3.Connection, cmd: Cmd, team: str | None, dry_run: bool, act: Act) -> list[str]:
    deals = store.unassigned_open(conn)
    if not deals:
        return [_("nothing to assign: every open deal has an owner")]
    candidates = _candidates(conn, team, act.now)
    if not any(c.capacity > 0 for c in candidates):
        raise NotFound(_("no active rep to assign to") + (_(" in team {team}").format(team=team) if team else ""),
                       hint=_("reps need role rep, --active and capacity > 0 (salesflow rep list)"))
    lines = []
    if dry_run:
        for d in deals:
            who = pick(candidates)
            lines.append((_("would assign ") + _give(conn, None, d["id"], who, act.now)) if who else _("#{id}: no rep has capacity").format(id=d['id']))
        raise RollBack(lines)
    for d in deals:
        who = pick(candidates)
        if who is None:
            raise Refused(_("#{id}: no rep has capacity left").format(id=d['id']), hint=_("raise a capacity: salesflow rep set HANDLE --capacity N"))
        lines.append("assigned " + _give(conn, cmd, d["id"], who, act.now))
    return lines


@writes
def sweep(conn: sqlite3.Connection, cmd: Cmd, *, do_assign: bool, do_reassign: bool, act: Act) -> SweepResult:
    """Escalate untouched leads, and with flags assign unassigned ones and reassign neglected ones."""
    now = act.now
    pipelines = Pipelines(conn)
    result = SweepResult()
    told = store.notices(conn, "sweep:")

    def notice(key: str, text: str) -> None:
        _notice(conn, cmd, told, result, key, text)

    candidates = _candidates(conn, None, now)
    for d in store.unassigned_open(conn):
        window = timedelta(minutes=pipelines[d["pipeline"]].assign_minutes)
        created = datetime.fromisoformat(d["created_at"])
        if now <= created + window:
            continue
        result.breaches += 1
        late = _late(now - created - window)
        if not do_assign:
            notice(f"sweep:unassigned:{d['id']}",
                   _("#{id}: unassigned past the {seconds}-minute window ({late} late)").format(id=d['id'], seconds=window.seconds // 60, late=late))
            continue
        who = pick(candidates)
        if who:
            result.actions.append("assigned " + _give(conn, cmd, d["id"], who, now))
        else:
            notice(f"sweep:no-capacity:{d['id']}", _("#{id}: unassigned, and no rep has capacity").format(id=d['id']))
    for d in store.untouched_assigned(conn):
        pipeline = pipelines[d["pipeline"]]
        window = timedelta(days=(pipeline.grades.get(d["grade"]) or pipeline.grades["B"]).first_touch_days)
        start = max(datetime.fromisoformat(d["created_at"]),
                    datetime.fromisoformat(d["assigned_at"]) if d["assigned_at"] else datetime.min)
        if now <= start + window:
            continue
        result.breaches += 1
        if do_reassign and now > start + 2 * window:
            team_pick = pick(candidates, exclude=frozenset({d["owner"]}), team=d["team"])
            who = team_pick or pick(candidates, exclude=frozenset({d["owner"]}))
            if who is not None:
                result.actions.append(_("reassigned #{id} from {owner} (untouched {late}): ").format(id=d['id'], owner=d['owner'], late=_late(now - start))
                                      + _give(conn, cmd, d["id"], who, now).split(" ", 1)[1])
                continue
        if d["escalated"]:
            continue  # already raised; re-running sweep adds nothing
        if d["manager"] is None:
            notice(f"sweep:no-manager:{d['id']}:{d['owner']}",
                   _("#{id}: {owner} has not touched this {grade}-grade lead in {late}, and has no manager to escalate to").format(id=d['id'], owner=d['owner'], grade=d['grade'], late=_late(now - start)))
            continue
        changes.insert(conn, cmd, "escalation", {"deal_id": d["id"], "rep": d["owner"], "manager": d["manager"],
                                                 "rule": "first-touch", "at": iso(now), "command_id": cmd.id})
        result.actions.append(_("escalated #{id} to {manager}: {owner} has not touched this {grade}-grade lead in {late}").format(id=d['id'], manager=d['manager'], owner=d['owner'], grade=d['grade'], late=_late(now - start)))
    return result


def _notice(conn: sqlite3.Connection, cmd: Cmd, told: set[str], result: SweepResult, key: str, text: str) -> None:
    """Said once per condition (remembered in the database): a cron job every 15 minutes must not mail the
    same line all day."""
    if key not in told:
        told.add(key)
        changes.insert(conn, cmd, "notice", {"key": key, "at": cmd.at, "command_id": cmd.id})
        result.notices.append(text)


def _late(delta: timedelta) -> str:
    from salesflow.domain.dates import age

    return age(delta, minutes=True)
