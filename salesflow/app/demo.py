"""A realistic, seeded demo database: reps, customers, deals over six months, their history.

The same generator builds the benchmark databases (`benchmarks/`), so it writes in bulk: rows are
simulated deal by deal (created → stages with dwell times → won, lost, or still open at `now`)
and inserted in chunks inside one transaction. Generated history is not a user's command, so it
gets no change-log rows; one `command` row records that the demo was built.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from salesflow.app.assign import sweep
from salesflow.app.context import Act, writes
from salesflow.app.setup import init_db
from salesflow.domain.dates import iso
from salesflow.domain.errors import Refused
from salesflow.domain.pipeline import Pipeline
from salesflow.domain.text import name_key
from salesflow.store import bulk, facts
from salesflow.store.changes import Cmd
from salesflow.store.backend import open_database
from salesflow.store.pipelines import load_pipeline
from salesflow.i18n import _

DEMO_REPS = [
    ("li", "李娜", "manager", None, "east"),
    ("chen", "陈静", "manager", None, "south"),
    ("wang", "王伟", "rep", "li", "east"),
    ("zhang", "张敏", "rep", "li", "east"),
    ("liu", "刘洋", "rep", "li", "east"),
    ("emily", "Emily Carter", "rep", "li", "east"),
    ("yang", "杨帆", "rep", "chen", "south"),
    ("david", "David Kim", "rep", "chen", "south"),
    ("sarah", "Sarah Lopez", "rep", "chen", "south"),
    ("zhao", "赵磊", "rep", "chen", "south"),
]
_CITIES = "北京 上海 深圳 广州 杭州 苏州 成都 武汉 南京 西安 天津 重庆 青岛 厦门 宁波 长沙 合肥 郑州".split()
_WORDS = "华信 鼎盛 恒通 瑞丰 启明 卓越 天成 博远 中科 金桥 宏达 新锐 远航 正泰 安泰 汇通 联创 海纳 同创 云启".split()
_INDUSTRIES = [("科技", "technology"), ("电子", "electronics"), ("机械", "machinery"), ("物流", "logistics"),
               ("医疗", "healthcare"), ("软件", "software"), ("贸易", "trading"), ("制造", "manufacturing"),
               ("能源", "energy"), ("材料", "materials")]
_SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]
_EN_FIRST = "Northwind Bluewave Summit Redwood Apex Silverline Brightpath Ironclad Evergreen Cobalt Horizon Pinnacle Lakeside Keystone".split()
_EN_NOUN = [("Logistics", "logistics"), ("Robotics", "machinery"), ("Foods", "trading"), ("Analytics", "software"),
            ("Medical", "healthcare"), ("Systems", "technology"), ("Energy", "energy"), ("Labs", "technology")]
_EN_SUFFIX = ["Ltd", "Inc", "Co.", "GmbH", "Pte Ltd"]
_SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗".split()
_GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 秀英 华 平 刚 桂英 建华 志强 晓东".split()
_EN_PEOPLE = "James Mary Robert Linda Michael Anna David Laura Daniel Emma Peter Grace".split()
_EN_LAST = "Smith Müller Tanaka Brown Garcia Wilson Lee Martin Rossi Novak".split()
_SOURCES = [("referral", 20), ("website", 25), ("expo", 15), ("cold-call", 15), ("partner", 10), ("wechat-ads", 15)]
_LOST = [("price", 25), ("competitor", 20), ("no-budget", 15), ("no-decision", 12), ("timing", 10),
         ("unresponsive", 10), ("bad-fit", 5), ("other", 3)]
_ADVANCE = [0.65, 0.72, 0.72, 0.75, 0.75, 0.75]  # chance to move on from the n-th open stage


@dataclass(frozen=True)
class Scale:
    deals: int = 600
    customers: int = 340
    months: int = 6
    reps: int = 0  # 0 = the ten named demo reps; more = generated reps rep0001… (benchmarks)
    touch_spacing: float = 1.0  # larger = fewer touches per deal (benchmarks aim at 5 per deal)


def build_demo(path: Path | str, now: datetime, seed: int = 7, scale: Scale = Scale()) -> dict[str, int]:
    """Create `path` (it must not exist; a PostgreSQL URL: its database must be empty) and fill it.
    Returns row counts."""
    import os

    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # claim the file atomically: a second demo or an init racing for the same name gets "exists"
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise Refused(_("{path} already exists; the demo never touches an existing database").format(path=path),
                          hint=_("name a new file, e.g. salesflow demo --db demo.db")) from None
    init_db(path, "standard", Act(now=now, by="demo", command="demo"), fresh=True)
    conn = open_database(path)
    try:
        pipeline = load_pipeline(conn, "standard")
        counts = _seed(conn, pipeline, now, seed, scale, Act(now=now, by="demo", command="demo", args=f"seed={seed}"))
        bulk.analyze(conn)
        bulk.checkpoint(conn)
        # this morning's cron job: untouched leads escalated to their managers
        sweep(conn, do_assign=False, do_reassign=False, act=Act(now=now, by="cron", command="sweep"))
    finally:
        conn.close()
    return counts


@writes(keep_empty=True)  # its rows point at the demo command, which logs no changes
def _seed(conn: sqlite3.Connection, cmd: Cmd, pipeline: Pipeline, now: datetime, seed: int, scale: Scale,
          act: Act) -> dict[str, int]:
    with bulk.indexes_deferred(conn, ("deal", "touch", "stage_event", "customer", "contact")):
        counts = generate(conn, cmd, pipeline, now, random.Random(seed), scale)
    facts.rebuild(conn)  # bulk rows bypass the change log: their derived facts all at once
    return counts


def _reps(scale: Scale, now: datetime) -> list[tuple]:
    created = iso(now - timedelta(days=400))
    if not scale.reps:
        return [(h, n, r, m, t, 50, 1, created) for h, n, r, m, t in DEMO_REPS]
    managers = max(1, scale.reps // 10)
    rows = [(f"mgr{i:03d}", f"Manager {i}", "manager", None, f"team{i:03d}", 50, 1, created) for i in range(managers)]
    rows += [(f"rep{i:04d}", f"Rep {i}", "rep", f"mgr{i % managers:03d}", f"team{i % managers:03d}", 50, 1, created)
             for i in range(scale.reps - managers)]
    return rows


def _customer_name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.75:
        word, industry = rng.choice(_INDUSTRIES)
        return f"{rng.choice(_CITIES)}{rng.choice(_WORDS)}{word}{rng.choice(_SUFFIXES)}", industry
    noun, industry = rng.choice(_EN_NOUN)
    return f"{rng.choice(_EN_FIRST)} {noun} {rng.choice(_EN_SUFFIX)}", industry


def _person(rng: random.Random, chinese: bool) -> tuple[str, str]:
    if chinese:
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        return name, f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    first, last = rng.choice(_EN_PEOPLE), rng.choice(_EN_LAST)
    return f"{first} {last}", f"+4420{rng.randrange(10**8):08d}"


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _business_time(rng: random.Random, day: datetime, now: datetime | None = None) -> datetime:
    """A working-hours time on `day`; never after `now` (today's history must not run ahead of the clock)."""
    at = day.replace(hour=rng.randint(9, 17), minute=rng.choice((0, 10, 15, 20, 30, 40, 45, 50)), second=0,
                     microsecond=0)
    return min(at, now) if now is not None else at


def generate(conn: sqlite3.Connection, cmd: Cmd, pipeline: Pipeline, now: datetime, rng: random.Random,
             scale: Scale) -> dict[str, int]:
    command_id = cmd.id
    reps = _reps(scale, now)
    bulk.insert_many(conn, "rep", ("handle", "name", "role", "manager", "team", "capacity", "active", "created_at"), reps)
    sellers = [r[0] for r in reps if r[2] == "rep"]
    skill = {h: 0.75 + 0.45 * i / max(1, len(sellers) - 1) for i, h in enumerate(rng.sample(sellers, len(sellers)))}

    customers, contacts, seen = [], [], set()
    start = now - timedelta(days=30 * scale.months)
    for cid in range(1, scale.customers + 1):
        name, industry = _customer_name(rng)
        while name_key(name) in seen:
            name, industry = _customer_name(rng)
            name = name if name_key(name) not in seen else f"{name} {cid}"
        seen.add(name_key(name))
        grade = rng.choices("ABC", weights=(2, 5, 3))[0]
        customers.append((cid, name, name_key(name), grade, industry, iso(start - timedelta(days=rng.randint(0, 60)))))
        chinese = not name[0].isascii()
        person, phone = _person(rng, chinese)
        email = f"contact{cid}@{'example.cn' if chinese else 'example.com'}"
        contacts.append((cid, cid, person, rng.choice(("采购经理", "IT总监", "总经理", "CTO", "Buyer", None)), phone, email,
                         int(rng.random() < 0.4), customers[-1][5]))
    bulk.insert_many(conn, "customer", ("id", "name", "name_key", "grade", "industry", "created_at"), customers)
    bulk.insert_many(conn, "contact", ("id", "customer_id", "name", "title", "phone", "email", "decision_maker", "created_at"), contacts)

    counts = {"reps": len(reps), "customers": len(customers), "deals": 0, "touches": 0, "stage_events": 0}
    deals, events, touches, actions = [], [], [], []
    span = (now - start).total_seconds()
    for deal_id in range(1, scale.deals + 1):
        created = _business_time(rng, start + timedelta(seconds=span * (deal_id - 1) / scale.deals), now)
        if created >= now:
            created = now - timedelta(hours=1)
        _simulate(rng, pipeline, deal_id, created, now, sellers, skill, customers, deals, events, touches, command_id,
                  scale.touch_spacing, actions=actions)
        if len(deals) >= 5000:
            _flush(conn, cmd, deals, events, touches, counts, actions)
    _flush(conn, cmd, deals, events, touches, counts, actions)
    return counts


_DEAL_COLUMNS = ("id", "title", "customer_id", "contact_id", "owner", "assigned_at", "pipeline", "stage", "status", "amount",
                 "close_date", "source", "next_followup", "created_at", "stage_entered_at", "progressed_at", "closed_at",
                 "lost_reason", "lost_from_stage", "fields")


def _flush(conn, cmd, deals, events, touches, counts, actions=()) -> None:
    bulk.insert_many(conn, "deal", _DEAL_COLUMNS, deals)
    bulk.insert_many(conn, "stage_event", ("deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced", "command_id"), events)
    bulk.insert_many(conn, "touch", ("deal_id", "kind", "at", "by", "contact_id", "notes", "outcome", "command_id"), touches)
    if actions:
        bulk.insert_many(conn, "action_done", ("deal_id", "stage", "action", "at", "by", "command_id"), actions)
        actions.clear()
    counts["deals"] += len(deals)
    counts["stage_events"] += len(events)
    counts["touches"] += len(touches)
    deals.clear()
    events.clear()
    touches.clear()


_NOTES = {
    "call": ["客户有兴趣，下周再联系", "Asked for a callback next week", "确认了需求范围", "Left a voicemail"],
    "visit": ["现场拜访，见了采购和IT", "Met the plant manager on site", "参观了产线，客户很认可"],
    "meeting": ["商务谈判：价格基本谈妥，等盖章", "Negotiated terms; legal review next", "讨论付款方式和交付周期"],
    "email": ["发送了产品资料", "Sent the case study", "邮件确认会议时间"],
    "wechat": ["微信沟通了预算", "微信发了报价单", "客户微信回复：月底前决定"],
    "demo": ["线上演示，客户反馈良好", "Demo for the ops team"],
    "quote": ["报价已发，含三年维保", "Quote sent with volume discount", "第二版报价，降价5%"],
}
_KINDS_BY_STAGE = [("call", "wechat", "email"), ("call", "visit", "demo", "email"), ("call", "email", "wechat"),
                   ("call", "wechat", "meeting")]


def _simulate(rng, pipeline, deal_id, created, now, sellers, skill, customers, deals, events, touches, command_id,
              spacing=1.0, actions=None):
    customer = customers[rng.randrange(len(customers))]
    cid, cname = customer[0], customer[1]
    age = now - created
    owner = None if (age < timedelta(days=2) and rng.random() < 0.5) else rng.choice(sellers)
    rep_skill = skill.get(owner, 1.0)
    careful = rep_skill >= 0.95  # the better half of the team calls new leads the same day and writes visit notes
    untouched = age < timedelta(days=1 if careful else 8) and rng.random() < 0.35  # new leads nobody has called yet
    by = owner or "system"
    source = _weighted(rng, _SOURCES)
    stages = pipeline.open_stages
    fields: dict[str, str] = {}
    amount, close = 0, None
    status, lost_reason, lost_from, closed_at = "open", None, None, None
    events.append((deal_id, None, stages[0].key, iso(created), by, None, 0, command_id))
    t, idx = created, 0
    last_touch = progressed = None
    # the weaker reps (the bottom of the skill range) let deals go silent and sit; the others keep them moving
    quiet = rep_skill < 0.85 and rng.random() < 0.35 * (1.15 - rep_skill)
    while not untouched:
        stage = stages[idx]
        if idx >= 1:  # past the lead stage: the qualification fields were filled
            fields.setdefault("need", rng.choice(["CRM系统", "产线自动化", "ERP对接", "Data platform", "安全审计", "Fleet tracking"]))
            fields.setdefault("budget", rng.choice(["50万", "待定", "100万以内", "$80k", "30-50万"]))
            fields.setdefault("decision_maker", rng.choice(["张总", "李总", "CFO", "总经理", "IT总监"]))
            if rng.random() < 0.4:
                fields.setdefault("competitor", rng.choice(["Salesforce", "纷享销客", "销售易", "HubSpot"]))
        if "amount" in stage.entry and not amount:
            amount = int(rng.lognormvariate(11.5, 0.8)) // 100 * 100 * 100 or 1_000_000
            close = (t + timedelta(days=rng.randint(20, 90))).date()
        mean = max(stage.idle_days or 5, 3) * rng.uniform(0.6, 1.8) / rep_skill ** 3
        dwell = timedelta(days=rng.expovariate(1 / mean) + 0.5 + (rng.uniform(20, 80) if quiet else 0))
        if rep_skill >= 0.85:  # all but the weakest move a deal on, or drop it, within two weeks
            dwell = min(dwell, timedelta(days=rng.uniform(8, 14)))
        leave = t + dwell
        # touches while in the stage, every couple of days
        touch_t = t + timedelta(hours=rng.randint(2, 30))
        while touch_t < min(leave, now) and not (quiet and touch_t > created + timedelta(days=10)):
            kind = rng.choice(_KINDS_BY_STAGE[min(idx, 3)])
            notes = rng.choice(_NOTES[kind]) if (kind != "visit" or careful or rng.random() < 0.85) else None
            touches.append((deal_id, kind, iso(_business_time(rng, touch_t, now)), by, cid, notes, None, command_id))
            last_touch = touch_t
            touch_t += timedelta(days=rng.uniform(1, 6) * spacing)
        required = [a for a in stage.actions if a.required]
        if leave >= now:
            # a careful rep has done the stage's first required action a day in (no random draw: the data
            # of every other deal stays the same whatever the playbook says)
            if careful and actions is not None and required and not required[0].touch and now - t > timedelta(days=1):
                actions.append((deal_id, stage.key, required[0].key, iso(t + timedelta(days=1)), by, command_id))
            break
        # the pipeline's exit criteria were met before leaving: its touches, and its required actions (an
        # action a touch does, like sending the quote, by that touch)
        for kind in [rule.kind for rule in stage.exit] + [a.touch for a in required if a.touch]:
            at = _business_time(rng, leave - timedelta(hours=rng.randint(3, 40)), now)
            at = max(at, t)
            touches.append((deal_id, kind, iso(at), by, cid, rng.choice(_NOTES.get(kind, ["ok"])), None, command_id))
            last_touch = at
        if actions is not None:
            done_at = iso(max(t, leave - timedelta(hours=26)))
            actions.extend((deal_id, stage.key, a.key, done_at, by, command_id) for a in required if not a.touch)
        advance = rng.random() < _ADVANCE[min(idx, len(_ADVANCE) - 1)] * rep_skill
        # a working hour of the day it leaves, after it came in (a dwell of half a day could draw an earlier hour)
        t = min(max(_business_time(rng, leave, now), t + timedelta(minutes=10)), now)
        if advance and idx == len(stages) - 1:
            status, closed_at, progressed = "won", t, t
            events.append((deal_id, stage.key, pipeline.won.key, iso(t), by, None, 0, command_id))
            if not amount:
                amount = 5_000_000
            break
        if advance:
            events.append((deal_id, stage.key, stages[idx + 1].key, iso(t), by, None, 0, command_id))
            idx, progressed = idx + 1, t
            continue
        status, closed_at, lost_from = "lost", t, stage.key
        lost_reason = _weighted(rng, _LOST)
        events.append((deal_id, stage.key, pipeline.lost.key, iso(t), by, lost_reason, 0, command_id))
        break
    entered = t if status != "open" else datetime.fromisoformat(events[-1][3])
    if untouched:
        entered = created
    follow = None
    if status == "open" and careful and not untouched:  # a good rep always has the next call planned
        follow = _business_time(rng, now + timedelta(days=rng.randint(1, 6)))
    elif status == "open" and rng.random() < 0.65:
        base = (last_touch or created)
        follow = _business_time(rng, base + timedelta(days=rng.randint(1, 12)))
    stage_key = stages[idx].key if status == "open" else (pipeline.won.key if status == "won" else pipeline.lost.key)
    title = f"{cname} — {rng.choice(['CRM', '年度采购', 'Pilot', '扩容', 'Renewal', '新项目'])}"
    deals.append((deal_id, title, cid, cid, owner, iso(created) if owner else None, pipeline.key, stage_key, status, amount,
                  close.isoformat() if close else None, source, iso(follow) if follow else None, iso(created),
                  iso(entered), iso(progressed) if progressed else None, iso(closed_at) if closed_at else None,
                  lost_reason, lost_from,
                  json.dumps(fields, ensure_ascii=False, sort_keys=True)))


def demo_target(given: Path | str | None, data_dir: Callable[[], Path]) -> Path | str:
    """Where the demo may write: the file the user named if it does not exist yet (an existing one is
    refused), else `demo.db` in the data directory, or `demo-2.db`, … — never an existing database. A
    PostgreSQL URL: a database without salesflow's schema (init_db refuses one that has other tables)."""
    if isinstance(given, str):
        return given  # init_db(fresh=True) refuses a database that already has a pipeline
    if given is not None:
        if given.exists():
            raise Refused(_("{given} already exists; the demo never touches an existing database").format(given=given),
                          hint=_("name a new file, e.g. salesflow demo --db demo.db"))
        return given
    directory = data_dir()
    candidate, n = directory / "demo.db", 1
    while candidate.exists():
        n += 1
        candidate = directory / f"demo-{n}.db"
    return candidate


def overview(path: Path | str, rep: str, now: datetime) -> dict:
    """What the demo prints: the rep's morning list, their manager's, and the open pipeline by stage."""
    from salesflow.app.due import DueQuery, due_report
    from salesflow.app.views import stage_summary
    from salesflow.store.reps import get_rep

    conn = open_database(path)
    try:
        manager = get_rep(conn, rep).manager
        reports = [due_report(conn, DueQuery(rep=rep), now)[0]]
        if manager:
            reports.append(due_report(conn, DueQuery(rep=manager), now)[0])
        reports.append(stage_summary(conn))
        for report in reports:
            report.rows = list(report.rows)  # read before the connection closes
    finally:
        conn.close()
    return {report.title: report for report in reports}
