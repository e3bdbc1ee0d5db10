"""Manager reports on a large database against the floor: the best single SQL for the same numbers.

    python benchmarks/analytics.py                 # 1,000,000 deals (benchmarks/out/1000000.db, built once)
    python benchmarks/analytics.py --deals 10000   # a quick run

Target (issue: manager analytics): each within 3× of its floor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HEADER, NOW, OUT, build, floor_cmd, row, salesflow, timed  # noqa: E402

FUNNEL = """
WITH cohort AS (SELECT id, owner AS grp, status, stage, amount, pipeline, lost_from_stage FROM deal WHERE pipeline = 'standard'),
far AS (
  SELECT c.id, c.grp, CASE WHEN c.status = 'won' THEN 4
                           ELSE MAX(COALESCE(MAX(s.position), 0), COALESCE(lf.position, 0)) END AS pos
  FROM cohort c JOIN stage_event e ON e.deal_id = c.id
  LEFT JOIN stage s ON s.pipeline = c.pipeline AND s.key = e.to_stage AND s.kind = 'open'
  LEFT JOIN stage lf ON lf.pipeline = c.pipeline AND lf.key = c.lost_from_stage
  GROUP BY c.id),
visits AS (SELECT deal_id, to_stage AS stage,
                  julianday(LEAD(at) OVER (PARTITION BY deal_id ORDER BY at, id)) - julianday(at) AS days FROM stage_event),
per_deal AS (SELECT v.deal_id, c.grp, v.stage, SUM(v.days) AS days FROM visits v JOIN cohort c ON c.id = v.deal_id
             WHERE v.days IS NOT NULL GROUP BY v.deal_id, v.stage),
ranked AS (SELECT grp, stage, days, ROW_NUMBER() OVER (PARTITION BY grp, stage ORDER BY days) AS rn,
                  COUNT(*) OVER (PARTITION BY grp, stage) AS n FROM per_deal)
SELECT 'reached', grp, pos, COUNT(*), NULL FROM far GROUP BY grp, pos
UNION ALL SELECT 'open', grp, stage, COUNT(*), SUM(amount) FROM cohort WHERE status = 'open' GROUP BY grp, stage
UNION ALL SELECT 'days', grp, stage, AVG(days), AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN days END)
          FROM ranked GROUP BY grp, stage
"""
SUMMARY = """
WITH c AS (SELECT owner, status, amount, CASE WHEN status = 'won' THEN julianday(closed_at) - julianday(created_at) END AS cycle
           FROM deal WHERE pipeline = 'standard'),
r AS (SELECT owner, cycle, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY cycle) AS rn,
             COUNT(*) OVER (PARTITION BY owner) AS n FROM c WHERE cycle IS NOT NULL),
m AS (SELECT owner, AVG(cycle) AS median FROM r WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY owner),
g AS (SELECT owner, COUNT(*) AS deals, SUM(status = 'won') AS won, SUM(status = 'lost') AS lost,
             SUM(CASE WHEN status = 'won' THEN amount END) AS won_amount, AVG(cycle) AS avg_cycle FROM c GROUP BY owner)
SELECT g.*, m.median FROM g LEFT JOIN m ON m.owner IS g.owner
"""
STUCK = """
SELECT d.id, d.owner, d.stage, d.stage_entered_at, t.last_touch,
       (SELECT notes FROM touch WHERE deal_id = d.id AND trim(COALESCE(notes, '')) != '' ORDER BY at DESC, id DESC LIMIT 1)
FROM deal d
JOIN stage s ON s.pipeline = d.pipeline AND s.key = d.stage
LEFT JOIN (SELECT deal_id, MAX(at) AS last_touch FROM touch GROUP BY deal_id) t ON t.deal_id = d.id
WHERE d.status = 'open' AND s.idle_days IS NOT NULL
  AND (d.next_followup IS NULL OR d.next_followup < :now)
  AND julianday(MAX(d.stage_entered_at, COALESCE(t.last_touch, ''))) + s.idle_days < julianday(:now)
"""
HEALTH = """
WITH o AS (
  SELECT d.owner, d.stage, d.stage_entered_at, d.next_followup, d.created_at, COALESCE(c.grade, 'B') AS grade,
         (SELECT MAX(at) FROM touch WHERE deal_id = d.id) AS last_touch,
         (SELECT MIN(at) FROM touch WHERE deal_id = d.id AND kind = 'visit' AND (notes IS NULL OR trim(notes) = '')) AS visit
  FROM deal d LEFT JOIN customer c ON c.id = d.customer_id WHERE d.status = 'open'),
due AS (
  SELECT owner, stage, stage_entered_at,
         MIN(COALESCE(next_followup, '9999'),
             CASE WHEN last_touch IS NULL THEN datetime(created_at, '+' || CASE grade WHEN 'A' THEN 1 WHEN 'B' THEN 3 ELSE 7 END || ' days')
                  ELSE datetime(last_touch, '+' || CASE grade WHEN 'A' THEN 7 WHEN 'B' THEN 14 ELSE 30 END || ' days') END,
             COALESCE(datetime(visit, '+1 day'), '9999')) AS due_at
  FROM o)
SELECT owner, COUNT(*), SUM(date(due_at) < date(:now)), SUM(julianday(:now) - julianday(stage_entered_at) > 15),
       (SELECT MAX(progressed_at) FROM deal x WHERE x.owner = due.owner)
FROM due GROUP BY owner
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="run only the reports whose name contains this, e.g. health")
    parser.add_argument("--db", type=Path, help="database to use (built there if missing)")
    args = parser.parse_args()
    db = args.db or OUT / f"{args.deals}.db"
    build(db, args.deals)
    env = {"SALESFLOW_DB": str(db), "SALESFLOW_NOW": NOW}
    now = NOW + ":00"
    cases = [
        ("funnel --by rep", FUNNEL, {}),
        ("funnel --summary --by rep", SUMMARY, {}),
        ("stuck", STUCK, {"now": now}),
        ("health", HEALTH, {"now": now}),
    ]
    print(f"times in ms over {args.runs} runs; floor = the best single SQL for the same numbers, bare sqlite3")
    print(HEADER)
    for name, sql, params in cases:
        if args.only and args.only not in name:
            continue
        floor = timed(floor_cmd(db, [{"sql": sql, "params": params}]), args.runs)
        mine = timed([*salesflow(), *name.split(), "-f", "csv"], args.runs, env)
        print(row(f"salesflow {name} -f csv", mine, floor))
        print(row("  floor", floor, floor))


if __name__ == "__main__":
    main()
