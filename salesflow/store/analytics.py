"""Queries behind the manager reports: funnel, stuck, health, review."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from salesflow.store.due import FACTS, OPEN_AT_NOW, STORED_FACTS, STORED_FROM


# A deal whose created / closed time the import had to guess (deal.guessed) belongs to no dated period.
CREATED_KNOWN = "instr(COALESCE(d.guessed, ''), 'created') = 0"
CLOSED_KNOWN = "instr(COALESCE(d.guessed, ''), 'closed') = 0"
def in_window(since: str | None, until: str | None) -> str:
    """IN_WINDOW written for these bounds, so that an index on (pipeline, created_at) can serve it."""
    if since is None and until is None:
        return "1 = 1"
    return " AND ".join([CREATED_KNOWN] + (["d.created_at >= :since"] if since else []) + (["d.created_at < :until"] if until else []))


IN_WINDOW = (f"((:since IS NULL AND :until IS NULL) OR ({CREATED_KNOWN}"
             " AND (:since IS NULL OR d.created_at >= :since) AND (:until IS NULL OR d.created_at < :until)))")


def cohort_events(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None) -> Iterator[sqlite3.Row]:
    """Every stage event of the deals created in [since, until) in `pipeline`, by deal then time: the replay
    that the funnel's stored facts are tested against (reports read cohort_reach and cohort_days)."""
    return conn.execute(
        f"""
        SELECT d.id, d.owner, d.source, COALESCE(c.grade, 'B') AS grade, d.pipeline, d.status, d.stage,
               d.amount, d.created_at, d.closed_at, d.lost_from_stage, e.to_stage, e.at,
               r.team, r.manager, d.guessed
        FROM deal d
        LEFT JOIN customer c ON c.id = d.customer_id
        LEFT JOIN rep r ON r.handle = d.owner
        JOIN stage_event e ON e.deal_id = d.id
        WHERE d.pipeline = :pipeline AND d.history IS NULL AND {IN_WINDOW}
        ORDER BY d.id, e.at, e.id
        """,
        {"pipeline": pipeline, "since": since, "until": until},
    )


def cohort_unknown_history(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None) -> int:
    """Deals of the cohort whose stage history is unknown (left out of the stage counts)."""
    return conn.execute(
        f"SELECT COUNT(*) FROM deal d WHERE d.pipeline = :pipeline AND d.history = 'unknown' AND {IN_WINDOW}",
        {"pipeline": pipeline, "since": since, "until": until}).fetchone()[0]


def undated(conn: sqlite3.Connection, pipeline: str) -> int:
    """Deals of `pipeline` whose created time the import had to guess (in no dated period)."""
    return conn.execute(f"SELECT COUNT(*) FROM deal d WHERE d.pipeline = ? AND NOT {CREATED_KNOWN}",
                        (pipeline,)).fetchone()[0]


GROUP_EXPRESSIONS = {  # --by → SQL, an allow-list: never user text in SQL
    None: "''", "rep": "d.owner", "source": "d.source", "grade": "COALESCE(c.grade, 'B')",
    "pipeline": "d.pipeline", "month": f"CASE WHEN {CREATED_KNOWN} THEN substr(d.created_at, 1, 7) END",
    "team": "r.team", "manager": "r.manager",  # the deal's owner's team / manager
}

# The same groupings over deal_fact (aliased d: it has the deal's columns the cohort reads, and the grade).
FACT_GROUPS = GROUP_EXPRESSIONS | {"grade": "d.grade"}


def _facts_from(by: str | None) -> str:
    """The cohort's FROM on the narrow derived rows, with the rep join only when the grouping needs it."""
    return "FROM deal_fact d" + (" LEFT JOIN rep r ON r.handle = d.owner" if by in ("team", "manager") else "")


def cohort_reach(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None,
                 by: str | None) -> list[sqlite3.Row]:
    """Per group of the cohort (deals with a known stage history and at least one stage event): how many
    deals reached how far, by the stage they are open in (NULL: closed), with their amount. One pass over
    the cohort's deals and their stored facts (store/facts.py)."""
    return conn.execute(
        f"""SELECT {FACT_GROUPS[by]} AS grp, d.reached, CASE WHEN d.status = 'open' THEN d.stage END AS open_stage,
                   COUNT(*) AS deals, SUM(d.amount) AS amount
            {_facts_from(by)}
            WHERE d.pipeline = :pipeline AND d.history IS NULL AND d.last_move IS NOT NULL AND {in_window(since, until)}
            GROUP BY 1, 2, 3""",
        {"pipeline": pipeline, "since": since, "until": until}).fetchall()


def cohort_days(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None,
                by: str | None) -> list:
    """Per group and stage of the cohort: deals that left the stage (n), their mean and median seconds in it
    (stage_days: each deal's ended visits summed). The whole history by team or by rep walks the table's
    sorted order to each middle value; a window or another grouping sorts its rows (a window function)."""
    if since is None and until is None and by in (None, "rep", "grade", "source"):
        walked = _days_walked(conn, pipeline, {"rep": "owner"}.get(by, by))
        if walked is not None:
            return walked
    return _days_sorted(conn, pipeline, since, until, by)


def _days_sorted(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None,
                 by: str | None) -> list[dict]:
    """The same numbers for a window or a grouping without a sorted index: one pass over the cohort's rows of
    stage_days, each group's seconds sorted in memory (8 bytes a value) — faster here than a window function."""
    from array import array

    group = FACT_GROUPS[by]
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: this reads a row per deal and stage
    values: dict[tuple, array] = {}
    for grp, stage, seconds in cur.execute(
            f"""SELECT {group}, d.stage, d.seconds
                FROM stage_days d{" LEFT JOIN rep r ON r.handle = d.owner" if by in ("team", "manager") else ""}
                WHERE d.pipeline = :pipeline AND {in_window(since, until)}""",
            {"pipeline": pipeline, "since": since, "until": until}):
        found = values.get((grp, stage))
        if found is None:
            found = values[(grp, stage)] = array("q")
        found.append(seconds)
    out = []
    for (grp, stage), found in values.items():
        ordered, n = sorted(found), len(found)
        out.append({"grp": grp, "stage": stage, "n": n, "mean": sum(ordered) / n,
                    "median": (ordered[(n - 1) // 2] + ordered[n // 2]) / 2})
    return out


_FEW = 8  # a grouping with at most this many values walks the stage's sorted range once per value


def _days_walked(conn: sqlite3.Connection, pipeline: str, column: str | None) -> list[dict] | None:
    """Counts and means by one pass; each median by a walk to the middle of its (stage[, owner]) range in
    the stored order: no sort at read time (stage_days' key, stage_days_owner). A grouping not in an index
    (grade, source) walks the stage's range filtering on it: done when it has few values, else None."""
    grp = column or "''"
    groups = conn.execute(f"SELECT stage, {grp}, COUNT(*), AVG(seconds) FROM stage_days WHERE pipeline = ?"
                          f" GROUP BY stage{', ' + column if column else ''}", (pipeline,)).fetchall()
    if column not in (None, "owner") and len(groups) > _FEW * len({g[0] for g in groups}):
        return None
    out = []
    for stage, value, n, mean in groups:
        same = "" if column is None else f" AND {column} = :value" if value is not None else f" AND {column} IS NULL"
        median = conn.execute(
            f"""SELECT AVG(seconds) FROM (SELECT seconds FROM stage_days WHERE pipeline = :pipeline AND stage = :stage{same}
                ORDER BY seconds LIMIT :take OFFSET :skip)""",
            {"pipeline": pipeline, "stage": stage, "value": value, "take": 2 - n % 2, "skip": (n - 1) // 2}).fetchone()[0]
        out.append({"grp": value, "stage": stage, "n": n, "mean": mean, "median": median})
    return out


def cohort_outcomes(conn: sqlite3.Connection, pipeline: str, since: str | None, until: str | None,
                    by: str | None) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """Per group of the cohort: deals, won, lost, won amount; and each won deal's cycle in days. From the
    narrow derived rows (deal_fact), which carry the deal's columns."""
    group = FACT_GROUPS[by]
    params = {"pipeline": pipeline, "since": since, "until": until}
    cohort = f"{_facts_from(by)} WHERE d.pipeline = :pipeline AND {in_window(since, until)}"
    counts = conn.execute(
        f"""SELECT {group} AS grp, COUNT(*) AS deals, SUM(CASE WHEN d.status = 'won' THEN 1 ELSE 0 END) AS won,
                   SUM(CASE WHEN d.status = 'lost' THEN 1 ELSE 0 END) AS lost,
                   COALESCE(SUM(CASE WHEN d.status = 'won' THEN d.amount END), 0) AS won_amount
            {cohort} GROUP BY grp""", params).fetchall()
    cycles = conn.execute(
        f"""SELECT {group} AS grp, (julianday(d.closed_at) - julianday(d.created_at)) AS days
            {cohort} AND d.status = 'won' AND d.closed_at IS NOT NULL""", params).fetchall()
    return counts, cycles


# Which open deals `stuck` looks at, from the stored derived facts (current at :now; `d` is the deal_fact
# row): a stage-idle deadline passed and no follow-up planned at or after now; or in the stage since
# before :cut (--over).
STUCK_IDLE = ("d.status = 'open' AND d.idle_at < :now"
              " AND (d.next_followup IS NULL OR d.next_followup < :now)")
STUCK_OVER = "d.status = 'open' AND d.stage_entered_at < :cut"


def open_deals(conn: sqlite3.Connection, now: str, with_notes: bool = True, where: str | None = None,
               cut: str | None = None) -> Iterator[sqlite3.Row]:
    """Every deal open at `now` with what stuck, health and due need (store.due.FACTS, as of `now`), and for
    stuck the last note, which costs a search of the deal's touches. `where`: STUCK_IDLE or STUCK_OVER
    instead, when the stored facts are current at `now`: only those deals are read, with the same columns
    from the stored facts (store.due.STORED_FACTS)."""
    if where not in (None, STUCK_IDLE, STUCK_OVER):
        raise ValueError("not a known filter")
    deal = "d.id" if where is None else "d.deal_id"
    last_note = (f"""(SELECT t.notes FROM touch t WHERE t.deal_id = {deal} AND t.at <= :now
                   AND trim(COALESCE(t.notes, '')) != '' ORDER BY t.at DESC, t.id DESC LIMIT 1)""" if with_notes else "NULL")
    if where is None:
        select, source = FACTS, "FROM deal d LEFT JOIN customer c ON c.id = d.customer_id"
    else:
        select, source = STORED_FACTS, STORED_FROM
    return conn.execute(
        f"""{select}, {last_note} AS last_note, NULL AS escalated_at
        {source}
        WHERE {where or OPEN_AT_NOW}
        ORDER BY {deal}
        """, {"now": now, "cut": cut})


def health_counts(conn: sqlite3.Connection, now: str, today: str, cut: str) -> list[sqlite3.Row]:
    """Per owner and stage of the open deals, from the stored derived facts (current at `now`): how many,
    how many overdue (the earliest counting deadline before `today`), how many in the stage since before `cut`."""
    return conn.execute(
        """
        SELECT d.owner, d.stage, COUNT(*) AS deals,
               SUM(CASE WHEN MIN(COALESCE(d.due_at, '9999'),
                                 CASE WHEN d.next_followup IS NULL OR d.next_followup < :now
                                      THEN COALESCE(d.idle_at, '9999') ELSE '9999' END) < :today
                        THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN d.stage_entered_at < :cut THEN 1 ELSE 0 END) AS stuck
        FROM deal_fact d
        WHERE d.status = 'open'
        GROUP BY d.owner, d.stage
        """, {"now": now, "today": today, "cut": cut}).fetchall()


def last_progress(conn: sqlite3.Connection, now: str) -> dict[str | None, str]:
    """Per owner, the time of the latest forward stage move or win on their deals at or before `now`
    (deal.progressed_at; for a deal that progressed after `now`, its last forward event before it)."""
    return {r[0]: r[1] for r in conn.execute(
        """
        SELECT owner, MAX(p) FROM (
            SELECT owner, progressed_at AS p FROM deal WHERE progressed_at <= :now
            UNION ALL
            SELECT d.owner, (SELECT MAX(e.at) FROM stage_event e
                             JOIN stage sf ON sf.pipeline = d.pipeline AND sf.key = e.from_stage
                             JOIN stage st ON st.pipeline = d.pipeline AND st.key = e.to_stage
                             WHERE e.deal_id = d.id AND e.at <= :now AND sf.kind = 'open'
                               AND st.kind IN ('open', 'won') AND st.position > sf.position)
            FROM deal d WHERE d.progressed_at > :now
        ) WHERE p IS NOT NULL GROUP BY owner
        """, {"now": now})}


def progress_from_events(conn: sqlite3.Connection) -> dict[int, str]:
    """deal.progressed_at rebuilt from the stage events: the latest forward move or win of each deal."""
    return {r[0]: r[1] for r in conn.execute(
        """
        SELECT e.deal_id, MAX(e.at)
        FROM stage_event e
        JOIN deal d ON d.id = e.deal_id
        JOIN stage sf ON sf.pipeline = d.pipeline AND sf.key = e.from_stage
        JOIN stage st ON st.pipeline = d.pipeline AND st.key = e.to_stage
        WHERE sf.kind = 'open' AND st.kind IN ('open', 'won') AND st.position > sf.position
        GROUP BY e.deal_id
        """
    )}


def progress_stored(conn: sqlite3.Connection) -> dict[int, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT id, progressed_at FROM deal WHERE progressed_at IS NOT NULL")}


def selling_reps(conn: sqlite3.Connection) -> list[str]:
    """Active reps with role rep, and anyone else who owns an open deal. On PostgreSQL, of the reps whose
    deals the reader's role sees (a rep: themselves; a manager: their team), not rows of zeros for others."""
    from salesflow.store.reps import login_rep

    mine = " AND salesflow_sees(handle)" if login_rep(conn) is not None else ""  # a rep's role (the owner sees all)
    return [r[0] for r in conn.execute(
        f"SELECT handle FROM rep WHERE active = 1 AND role = 'rep'{mine}"
        " UNION SELECT DISTINCT owner FROM deal WHERE status = 'open' AND owner IS NOT NULL ORDER BY 1"
    )]


def closed_deals(conn: sqlite3.Connection, start: str, end: str) -> list[sqlite3.Row]:
    """Deals won or lost in [start, end), with the touches logged up to their close."""
    return conn.execute(
        f"""
        SELECT d.id, d.title, COALESCE(c.name, '') AS customer, c.grade, d.owner, d.source, d.status, d.amount,
               d.lost_reason, d.created_at, d.closed_at,
               (SELECT COUNT(*) FROM touch t WHERE t.deal_id = d.id AND t.at <= d.closed_at) AS touches
        FROM deal d
        LEFT JOIN customer c ON c.id = d.customer_id
        WHERE d.status IN ('won', 'lost') AND d.closed_at >= ? AND d.closed_at < ? AND {CLOSED_KNOWN}
        ORDER BY d.closed_at, d.id
        """,
        (start, end),
    ).fetchall()


def weekly_facts(conn: sqlite3.Connection, start: str, owners: list[str] | None = None) -> dict[str, list[tuple]]:
    """Since `start`: deals created (created_at); deals first reaching the second stage or beyond
    (at); deals won (closed_at, created_at, amount). `owners`: only these owners' deals (None: all)."""
    import json

    mine = "(:owners IS NULL OR d.owner IN (SELECT value FROM json_each(:owners)))"
    params = {"start": start, "owners": None if owners is None else json.dumps(owners)}
    created = conn.execute(f"SELECT created_at FROM deal d WHERE created_at >= :start AND {CREATED_KNOWN} AND {mine}",
                           params).fetchall()
    valid = conn.execute(
        f"""
        SELECT MIN(e.at) AS at
        FROM stage_event e
        JOIN deal d ON d.id = e.deal_id
        JOIN stage s ON s.pipeline = d.pipeline AND s.key = e.to_stage
        WHERE s.kind IN ('open', 'won') AND s.position >= 1 AND {mine}
          AND e.deal_id IN (SELECT deal_id FROM deal_fact WHERE last_move >= :start)  -- a stage event since then
        GROUP BY e.deal_id
        HAVING MIN(e.at) >= :start
        """,
        params,
    ).fetchall()
    won = conn.execute(
        f"SELECT closed_at, created_at, amount FROM deal d WHERE status = 'won' AND closed_at >= :start AND {CLOSED_KNOWN}"
        f" AND {mine}", params).fetchall()
    return {"created": [tuple(r) for r in created], "valid": [tuple(r) for r in valid], "won": [tuple(r) for r in won]}
