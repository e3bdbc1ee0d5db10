"""Spot checks (管反馈): `review sample` picks a rep's recent touches for a manager to read, `review score`
records what the manager thought of one, and `review cases` picks each rep's typical won and lost deal."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta

from salesflow.app.context import Act, Outcome, writes
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, Refused
from salesflow.domain.money import format_amount
from salesflow.domain.periods import parse_period
from salesflow.domain.text import clean_text
from salesflow.i18n import N_, _
from salesflow.output import labels
from salesflow.output.report import Column, Report
from salesflow.store import changes
from salesflow.store import deals as deal_store
from salesflow.store import playbooks as records
from salesflow.store.analytics import closed_deals
from salesflow.store.changes import Cmd

SAMPLE_COLUMNS = [
    Column("touch_id", "id"), Column("deal_id", "id"), Column("customer", priority=2), Column("at", "datetime", priority=3),
    Column("kind", words=labels.TOUCH_KINDS, priority=4), Column("notes", priority=1),
    Column("steps", "json", in_table=False), Column("steps_shown", label=N_("Steps"), in_machine=False, priority=1),
    Column("score", "int", priority=5),
]


def sample_report(conn: sqlite3.Connection, rep: str, now: datetime, *, n: int = 3, seed: str | None = None,
                  days: int = 7) -> Report:
    """`n` touches `rep` logged in the last `days` days that nobody has scored yet, picked at random with
    `seed` (default: the rep and today's date, so a manager sees the same sample all day)."""
    from salesflow.app.views import rep_handle

    if not 1 <= n <= 50:
        raise BadInput(_("--n {n} must be from 1 to 50").format(n=n), hint=_("a spot check reads a few records, e.g. --n 3"))
    if not 1 <= days <= 365:
        raise BadInput(_("--days {days} must be from 1 to 365").format(days=days), hint=_("e.g. --days 7"))
    handle = rep_handle(conn, rep)
    seed = seed if seed is not None else f"{handle}:{now:%Y-%m-%d}"
    since = now - timedelta(days=days)
    pool = [r for r in records.recent_touches(conn, handle, iso(since), iso(now + timedelta(seconds=1))) if r["score"] is None]
    picked = sorted(random.Random(seed).sample(pool, min(n, len(pool))), key=lambda r: (r["at"], r["touch_id"]))
    from salesflow.app.playbook import steps_text
    from salesflow.store.pipelines import load_pipeline

    pipelines = {key: load_pipeline(conn, key) for key in {r["pipeline"] for r in picked}}
    rows = [{"touch_id": r["touch_id"], "deal_id": r["deal_id"], "customer": r["customer"],
             "at": datetime.fromisoformat(r["at"]), "kind": r["kind"], "notes": r["notes"], "steps": r["steps"],
             "steps_shown": steps_text(r["template"], r["steps"], pipelines[r["pipeline"]]) or None,
             "score": r["score"]} for r in picked]
    return Report(
        title=_("Spot check: {rep}, {n} of {total} unchecked touches since {since:%Y-%m-%d}").format(
            rep=handle, n=len(rows), total=len(pool), since=since),
        columns=SAMPLE_COLUMNS, rows=rows,
        empty=_("{rep} logged no unchecked touch in the last {days} days").format(rep=handle, days=days),
        footer=[_("seed {seed}: the same seed picks the same touches · score one: salesflow review score TOUCH 1-5").format(seed=seed)])


def parse_score(text: str) -> int:
    raw = text.strip()
    if raw not in ("1", "2", "3", "4", "5"):
        raise BadInput(_("score {text!r} must be a whole number from 1 to 5").format(text=text),
                       hint=_("1 = not usable, 3 = adequate, 5 = a model record"))
    return int(raw)


@writes
def score_touch(conn: sqlite3.Connection, cmd: Cmd, touch_id: int, score: int, act: Act, *, note: str | None = None) -> Outcome:
    touch = deal_store.get_touch(conn, touch_id)
    notes = clean_text(note, "note", max_len=2000)
    from salesflow.store.reps import find_rep, login_rep

    scorer = find_rep(conn, act.by)
    if scorer is None or scorer.role not in ("manager", "admin"):
        hint = (_("ask your manager to score it, logged in as themselves") if login_rep(conn)  # PostgreSQL: no --as
                else _("score as the manager: salesflow --as HANDLE review score {touch_id} …").format(touch_id=touch_id))
        raise Refused(_("{by} is not a manager or admin; spot checks are scored by managers").format(by=act.by), hint=hint)
    if touch.by == act.by:
        raise Refused(_("touch {touch_id} is your own record; a spot check is someone else's reading").format(touch_id=touch_id),
                      hint=_("ask your manager to check it"))
    before = records.score_of(conn, touch_id)
    values = {"score": score, "notes": notes, "at": iso(act.now), "by": act.by, "command_id": cmd.id}
    if before is None:
        changes.insert(conn, cmd, "touch_score", {"touch_id": touch_id, **values})
    else:
        changes.update(conn, cmd, "touch_score", before["id"], values)
    out = Outcome(lines=[_("touch {touch_id} ({rep}, #{deal_id}): score {score}").format(
        touch_id=touch_id, rep=touch.by, deal_id=touch.deal_id, score=score)])
    if before is not None:
        out.notes.append(_("replaces the score {old} {by} gave on {at}").format(old=before["score"], by=before["by"], at=before["at"][:10]))
    return out


CASE_COLUMNS = [
    Column("case", in_table=False, in_machine=False),
    Column("owner", "owner", in_table=False), Column("outcome", "status", in_table=False), Column("deal_id", "id", in_table=False),
    Column("customer", in_table=False), Column("amount", "money", in_table=False), Column("cycle_days", "days", in_table=False),
    Column("at", "datetime"), Column("type", words=labels.TIMELINE), Column("what"), Column("by", "owner", priority=3),
    Column("detail", priority=1),
]


def cases_report(conn: sqlite3.Connection, period: str, now: datetime) -> Report:
    """Per rep, the largest deal won and the largest lost in the period (ties: the lower id), each with its
    timeline: one row per event, the case's facts repeated on each (csv) and heading each case (tables)."""
    from salesflow.app.views import show_deal

    start, end = parse_period(period, now)
    rows = closed_deals(conn, iso(start), iso(end))
    picked = []
    for owner in sorted({r["owner"] for r in rows if r["owner"]}):
        for outcome in ("won", "lost"):
            mine = [r for r in rows if r["owner"] == owner and r["status"] == outcome]
            if mine:
                picked.append(max(mine, key=lambda r: (r["amount"], -r["id"])))
    out = []
    for deal in picked:
        card = show_deal(conn, deal["id"], now)
        cycle = (datetime.fromisoformat(deal["closed_at"]) - datetime.fromisoformat(deal["created_at"])).total_seconds() / 86400
        heading = _("{owner} · {outcome} #{deal_id} {customer} · {amount} · {days:.0f} days").format(
            owner=deal["owner"], outcome=labels.word(labels.KINDS, deal["status"]), deal_id=deal["id"],
            customer=deal["customer"] or deal["title"], amount=format_amount(deal["amount"]), days=cycle)
        facts = {"case": heading, "owner": deal["owner"], "outcome": deal["status"], "deal_id": deal["id"],
                 "customer": deal["customer"], "amount": deal["amount"], "cycle_days": cycle}
        for event in card.timeline:
            out.append(facts | {"at": event["at"], "type": event["type"], "what": event["what"], "by": event["by"],
                                "detail": event["detail"]})
    return Report(
        title=_("Typical cases, deals closed {start:%Y-%m-%d} ≤ closed < {end:%Y-%m-%d} ({period})").format(start=start, end=end, period=period),
        columns=CASE_COLUMNS, rows=out, group_by="case",
        empty=_("no deal closed in the period"),
        footer=[_("per rep: the largest deal won and the largest lost (ties: the lower id), with its timeline")])


