"""Queries behind `due`, `why`, `assign`, `sweep` and `silent`.

Every `due` scope starts from an index: one rep's open deals through deal(owner, status); the last
touch and bare visits of each come from touch(deal_id, at). No scope scans all deals or touches
except `--all`, which asks for all of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from salesflow.domain.deadlines import DueFacts
from salesflow.store import dialect

# The facts every follow-up rule reads about one deal, as they stood at :now: a `--now` in the past sees
# the data as it was then (touches, stage moves and closes after it are not counted; a deal moved since
# is in the stage it was in then). The last touch is the later of the deal's touches and the last activity
# another CRM's file gave (deal.last_activity_at). Rows after :now are rare: the CASEs cost nothing today.
FACTS = """
SELECT d.id, d.title, d.owner, d.pipeline, d.amount, d.created_at, d.next_followup, d.assigned_at,
       COALESCE(c.name, '') AS customer, COALESCE(c.grade, 'B') AS grade,
       CASE WHEN d.stage_entered_at <= :now THEN d.stage ELSE COALESCE(
           (SELECT e.to_stage FROM stage_event e WHERE e.deal_id = d.id AND e.at <= :now
             ORDER BY e.at DESC, e.id DESC LIMIT 1), d.stage) END AS stage,
       CASE WHEN d.stage_entered_at <= :now THEN d.stage_entered_at ELSE COALESCE(
           (SELECT MAX(e.at) FROM stage_event e WHERE e.deal_id = d.id AND e.at <= :now), d.created_at)
       END AS stage_entered_at,
       NULLIF(MAX(COALESCE((SELECT MAX(t.at) FROM touch t WHERE t.deal_id = d.id AND t.at <= :now), ''),
                  CASE WHEN d.last_activity_at <= :now THEN d.last_activity_at ELSE '' END), '') AS last_touch,
       d.review_from,  -- before the import it is not yet due (its deadline is in the future)
       (SELECT group_concat(t.at, ',') FROM touch t
         WHERE t.deal_id = d.id AND t.at <= :now AND t.kind = 'visit'
           AND (t.notes IS NULL OR trim(t.notes) = '')) AS bare_visits
"""
# Open at :now: open today, or closed after :now (the deal_closed index finds those; none when now is now),
# and created by then.
OPEN_AT_NOW = ("(d.status = 'open' OR d.id IN (SELECT id FROM deal WHERE status IN ('won', 'lost') AND closed_at > :now))"
               " AND d.created_at <= :now")

# The same columns read from the stored derived facts (store/facts.py), which hold them at any `now` no
# earlier than the newest row (facts.current): no per-deal search of touches and stage events. `d` is the
# deal_fact row; the deal's own columns the facts do not carry come from `x`.
STORED_FACTS = """
SELECT d.deal_id AS id, x.title, d.owner, d.pipeline, d.amount, d.created_at, d.next_followup, x.assigned_at,
       COALESCE(c.name, '') AS customer, d.grade, d.stage, d.stage_entered_at, d.last_touch, x.review_from,
       d.bare_visits
"""
STORED_FROM = """
FROM deal_fact d
JOIN deal x ON x.id = d.deal_id
LEFT JOIN customer c ON c.id = d.customer_id
"""
_ESCALATED = """,
       (SELECT MIN(e.at) FROM escalation e
         WHERE :escalations = 1 AND e.deal_id = d.{id} AND e.rep = d.owner
           AND (:manager IS NULL OR e.manager = :manager)) AS escalated_at
"""
_DUE_SELECT = FACTS + _ESCALATED.format(id="id") + """FROM deal d
LEFT JOIN customer c ON c.id = d.customer_id
"""
_STORED_DUE_SELECT = STORED_FACTS + _ESCALATED.format(id="deal_id") + STORED_FROM


def due_facts(row: sqlite3.Row) -> DueFacts:
    """A row of FACTS (with an escalated_at column) as the rules' DueFacts."""
    parse = datetime.fromisoformat
    visits = tuple(sorted(parse(v) for v in row["bare_visits"].split(","))) if row["bare_visits"] else ()
    last = parse(row["last_touch"]) if row["last_touch"] else None
    return DueFacts(
        deal_id=row["id"], pipeline=row["pipeline"], stage=row["stage"], grade=row["grade"], owner=row["owner"],
        created_at=parse(row["created_at"]), stage_entered_at=parse(row["stage_entered_at"]),
        next_followup=parse(row["next_followup"]) if row["next_followup"] else None, last_touch=last,
        bare_visits=visits, review_from=parse(row["review_from"]) if row["review_from"] else None,
        # an escalation stands while the lead is still untouched
        escalated_at=parse(row["escalated_at"]) if row["escalated_at"] and last is None else None,
    )


@dataclass(frozen=True)
class DueScope:
    owners: tuple[str, ...] | None = None  # None = every owner
    unassigned: bool = False  # also unassigned deals
    escalated_to: str | None = None  # also deals escalated to this manager
    escalations: bool = False  # show the `escalated` rule (escalated_to's, or anyone's when None)
    only_deal: int | None = None


# The deals with any deadline before :before, from the stored derived facts (store/facts.py): a superset
# of those listed (a stage-idle deadline a plan suppresses is still a candidate), read from two indexes.
CANDIDATES = """d.deal_id IN (SELECT deal_id FROM deal_fact WHERE due_at < :before
                 UNION SELECT deal_id FROM deal_fact WHERE idle_at < :before
                 UNION SELECT deal_id FROM escalation WHERE :escalations = 1)"""


def due_rows(conn: sqlite3.Connection, scope: DueScope, now: str, before: str | None = None) -> Iterator[sqlite3.Row]:
    """`before`: only deals with a stored deadline before this time (the facts must be current at `now`)."""
    sql, params = due_query(scope, now, before)
    return conn.execute(sql, params) if sql else iter(())


def due_query(scope: DueScope, now: str, before: str | None = None) -> tuple[str | None, dict]:
    params: dict = {"manager": scope.escalated_to, "escalations": int(scope.escalations), "now": now, "before": before}
    if scope.only_deal is not None:
        where = "d.id = :deal"
        params["deal"] = scope.only_deal
    elif scope.owners is None:
        if before is not None:  # every owner: a range of the deadline indexes and the stored facts
            where = f"d.status = 'open' AND {CANDIDATES}" + ("" if scope.unassigned else " AND d.owner IS NOT NULL")
            return _STORED_DUE_SELECT + f" WHERE {where} ORDER BY d.deal_id", params
        where = OPEN_AT_NOW + ("" if scope.unassigned else " AND d.owner IS NOT NULL")
    else:
        # each part through the deal_owner_status index; those closed after :now through deal_closed
        open_then = "(status = 'open' OR (status IN ('won', 'lost') AND closed_at > :now))"
        parts = []
        for i, owner in enumerate(scope.owners):
            params[f"o{i}"] = owner
            parts.append(f"SELECT id FROM deal WHERE owner = :o{i} AND status = 'open'")
            parts.append(f"SELECT id FROM deal WHERE status IN ('won', 'lost') AND closed_at > :now AND owner = :o{i}")
        if scope.unassigned:
            parts.append(f"SELECT id FROM deal WHERE owner IS NULL AND {open_then}")
        if scope.escalated_to:
            parts.append("SELECT e.deal_id FROM escalation e JOIN deal x ON x.id = e.deal_id"
                         " WHERE e.manager = :manager AND x.owner = e.rep AND (x.status = 'open' OR x.closed_at > :now)")
        if not parts:
            return None, params
        where = f"d.id IN ({' UNION '.join(parts)}) AND d.created_at <= :now"
    return _DUE_SELECT + f" WHERE {where} ORDER BY d.id", params


def team_handles(conn: sqlite3.Connection, team: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT handle FROM rep WHERE team = ? ORDER BY handle", (team,))]


def reps_for_assignment(conn: sqlite3.Connection, team: str | None, since: str) -> list[sqlite3.Row]:
    """Active reps (role rep) with open deals, capacity, and deals assigned to them since `since`."""
    return conn.execute(
        """
        SELECT r.handle, r.team, r.capacity,
               (SELECT COUNT(*) FROM deal d WHERE d.owner = r.handle AND d.status = 'open') AS open_deals,
               (SELECT COUNT(*) FROM deal d WHERE d.owner = r.handle AND d.assigned_at >= ?) AS recent
        FROM rep r
        WHERE r.active = 1 AND r.role = 'rep' AND (? IS NULL OR r.team = ?)
        ORDER BY r.handle
        """,
        (since, team, team),
    ).fetchall()


def unassigned_open(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT d.id, d.pipeline, d.created_at, COALESCE(c.grade, 'B') AS grade FROM deal d"
        " LEFT JOIN customer c ON c.id = d.customer_id"
        " WHERE d.owner IS NULL AND d.status = 'open' ORDER BY d.created_at, d.id"
    ).fetchall()


def untouched_assigned(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Open, owned deals with no touch at all, with the owner's manager and team (not imported ones: their
    file's last activity counts as a touch, and one without any is due for review instead)."""
    return conn.execute(
        """
        SELECT d.id, d.pipeline, d.owner, d.created_at, d.assigned_at, COALESCE(c.grade, 'B') AS grade,
               r.manager, r.team,
               (SELECT 1 FROM escalation e WHERE e.deal_id = d.id AND e.rep = d.owner) AS escalated
        FROM deal d
        JOIN rep r ON r.handle = d.owner
        LEFT JOIN customer c ON c.id = d.customer_id
        WHERE d.status = 'open' AND NOT EXISTS (SELECT 1 FROM touch t WHERE t.deal_id = d.id)
          AND d.last_activity_at IS NULL AND d.review_from IS NULL  -- imported: touched then, or due for review
        ORDER BY d.created_at, d.id
        """
    ).fetchall()


def silent_customers(conn: sqlite3.Connection, cutoff: str, now: str) -> list[sqlite3.Row]:
    """Customers with an open deal, or a deal lost on or before `cutoff`, and no activity since `cutoff`:
    activity is a touch, a stage event (a deal created, moved, won or lost) or an imported last activity on
    any of their deals, at or before `now` (a --now in the past sees the data as it stood then)."""
    return conn.execute(
        """
        WITH candidates AS (
            SELECT DISTINCT customer_id AS id FROM deal
            WHERE customer_id IS NOT NULL AND created_at <= :now
              AND (status = 'open' OR closed_at > :now OR (status = 'lost' AND closed_at <= :cutoff))
        ),
        facts AS (
            SELECT c.id, c.name, c.grade,
                   NULLIF(MAX(COALESCE((SELECT MAX(t.at) FROM deal d JOIN touch t ON t.deal_id = d.id
                                        WHERE d.customer_id = c.id AND t.at <= :now), ''),
                              COALESCE((SELECT MAX(d.last_activity_at) FROM deal d
                                        WHERE d.customer_id = c.id AND d.last_activity_at <= :now), '')), '')
                       AS last_touch,
                   (SELECT MAX(e.at) FROM deal d JOIN stage_event e ON e.deal_id = d.id
                     WHERE d.customer_id = c.id AND e.at <= :now) AS last_move,
                   (SELECT COUNT(*) FROM deal d WHERE d.customer_id = c.id AND d.created_at <= :now
                     AND (d.status = 'open' OR d.closed_at > :now)) AS open_deals,
                   (SELECT d.owner FROM deal d WHERE d.customer_id = c.id
                     ORDER BY d.status = 'open' DESC, d.created_at DESC, d.id DESC LIMIT 1) AS owner
            FROM customer c JOIN candidates USING (id)
        )
        SELECT f.*,
               (SELECT COALESCE(t.outcome, t.kind) FROM deal d JOIN touch t ON t.deal_id = d.id
                 WHERE d.customer_id = f.id AND t.at <= :now ORDER BY t.at DESC, t.id DESC LIMIT 1) AS last_outcome
        FROM facts f
        WHERE MAX(COALESCE(f.last_touch, ''), COALESCE(f.last_move, '')) < :cutoff
        """,
        {"cutoff": cutoff, "now": now},
    ).fetchall()


def silent_from_facts(conn: sqlite3.Connection, cutoff: str, now: str) -> list[sqlite3.Row]:
    """silent_customers from the stored derived facts (current at `now`): one pass over the narrow rows,
    grouped by customer, which also picks each customer's owner (the deal an open one first, then the
    newest, then the highest id) and latest touch by comparing fixed-width keys."""
    deal_key = dialect.fixed_key(conn, "created_at", "deal_id")
    touch_key = dialect.fixed_key(conn, "touch_at", "touch_id")
    return conn.execute(
        f"""
        WITH per AS (
            SELECT customer_id AS id, MAX(COALESCE(last_touch, '')) AS last_touch,
                   MAX(COALESCE(last_move, '')) AS last_move,
                   SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open_deals,
                   MAX(CASE WHEN status = 'open' THEN '1' ELSE '0' END || {deal_key} || COALESCE(owner, '')) AS owner_key,
                   MAX(CASE WHEN touch_id IS NOT NULL THEN {touch_key} END) AS touch_key
            FROM {dialect.scan(conn, "deal_fact")}  -- a scan and a sort beat a walk of the customer index (2 s, not 5)
            WHERE customer_id IS NOT NULL
            GROUP BY customer_id
            HAVING MAX(CASE WHEN status = 'open' OR (status = 'lost' AND closed_at <= :cutoff) THEN 1 ELSE 0 END) = 1
               AND MAX(MAX(COALESCE(last_touch, '')), MAX(COALESCE(last_move, ''))) < :cutoff
        )
        SELECT c.id, c.name, c.grade, NULLIF(p.last_touch, '') AS last_touch, NULLIF(p.last_move, '') AS last_move,
               p.open_deals, NULLIF(substr(p.owner_key, 33), '') AS owner,
               (SELECT COALESCE(t.outcome, t.kind) FROM touch t
                 WHERE t.id = CAST(substr(p.touch_key, 20) AS INTEGER)) AS last_outcome
        FROM per p JOIN customer c ON c.id = p.id
        """,
        {"cutoff": cutoff, "now": now},
    ).fetchall()


def notices(conn: sqlite3.Connection, prefix: str) -> set[str]:
    """The conditions already told about whose key starts with `prefix`."""
    return {r[0] for r in conn.execute("SELECT key FROM notice WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))}


def count_open(conn: sqlite3.Connection, owners: list[str] | None, now: str) -> int:
    """Deals open at `now` of these owners (None: every deal, unassigned ones too)."""
    import json

    return conn.execute(
        f"SELECT COUNT(*) FROM deal d WHERE {OPEN_AT_NOW}"
        " AND (:owners IS NULL OR d.owner IN (SELECT value FROM json_each(:owners)))",
        {"now": now, "owners": None if owners is None else json.dumps(owners)},
    ).fetchone()[0]
