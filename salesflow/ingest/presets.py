"""Import presets: which source columns mean which salesflow field, and the value words of each CRM.

A preset is data: header aliases (compared after `normalise_header`), stage and status words, touch
kinds. `plan_columns` turns a header row, a preset (given or detected) and `--map` into a `Columns`
plan; every field the user can target is a column name of `export deals` / `export touches`
(README), plus `fields.KEY` for a process field.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from salesflow.domain.errors import BadInput, UsageProblem
from salesflow.ingest.files import normalise_header
from salesflow.i18n import _

DEAL_FIELDS = (
    "deal_id", "external_id", "title", "customer", "contact", "phone", "email", "owner", "pipeline", "stage",
    "status", "amount", "close_date", "source", "grade", "created_at", "closed_at", "lost_reason",
    "next_followup", "fields", "industry", "last_activity", "currency",
)
TOUCH_FIELDS = ("touch_id", "deal_id", "deal_external_id", "kind", "at", "by", "contact", "notes", "outcome")
IGNORE = "-"  # --map 'Probability (%)=-' drops a column on purpose
ENTERED = "entered:"  # --map 'engage_date=entered:qualified': the date a deal entered that stage
# HubSpot exports one column per stage: Date entered "Appointment scheduled (Sales Pipeline)"
_HUBSPOT_ENTERED = re.compile(r"""^date entered ['"“]?(?P<stage>.+?)(?: \([^)]*\))?['"”]?$""")

# `金额(万元)` → field 金额, amounts × 10,000. Matched after normalise_header (full-width brackets are ASCII).
_UNIT = re.compile(r"^(?P<base>.*?)\s*\((?P<unit>万元|万|千元|千|元|亿元|亿|k|m|usd|rmb|cny|eur|¥|\$)\)$")
UNITS = {"万元": 10_000, "万": 10_000, "千元": 1_000, "千": 1_000, "元": 1, "亿元": 100_000_000, "亿": 100_000_000,
         "k": 1_000, "m": 1_000_000, "usd": 1, "rmb": 1, "cny": 1, "eur": 1, "¥": 1, "$": 1}


class Preset(NamedTuple):
    name: str
    kind: str                   # deals | touches
    columns: dict[str, str]     # normalised header -> field
    stages: dict[str, str]      # normalised stage word -> stage key of the standard pipeline, or won / lost
    statuses: dict[str, str]    # normalised status word -> open | won | lost | skip
    kinds: dict[str, str] = {}  # touches: normalised activity type -> touch kind


_STATUS_WORDS = {
    "open": "open", "won": "won", "lost": "lost", "closed won": "won", "closed lost": "lost",
    "进行中": "open", "跟进中": "open", "赢单": "won", "成交": "won", "已成交": "won", "输单": "lost", "丢单": "lost",
    "已输单": "lost", "失败": "lost", "deleted": "skip",
}

_SALESFLOW_DEALS = Preset("salesflow", "deals", {f: f for f in DEAL_FIELDS}, {}, _STATUS_WORDS)

_PIPEDRIVE = Preset("pipedrive", "deals", {
    "deal - id": "external_id", "deal - title": "title", "deal - value": "amount", "deal - stage": "stage",
    "deal - status": "status", "deal - owner": "owner", "deal - expected close date": "close_date",
    "deal - lost reason": "lost_reason", "deal - organization": "customer", "organization - name": "customer",
    "deal - contact person": "contact", "person - name": "contact", "person - phone": "phone",
    "person - email": "email", "deal - deal created": "created_at", "deal - won time": "closed_at",
    "deal - lost time": "closed_at", "deal - deal closed on": "closed_at", "deal - close time": "closed_at", "deal - source channel": "source",
    "deal - next activity date": "next_followup", "deal - pipeline": IGNORE, "deal - currency": "currency",
    "deal - last activity date": "last_activity", "last activity date": "last_activity", "currency": "currency",
}, {
    "lead in": "lead", "contact made": "lead", "qualified": "qualified", "demo scheduled": "qualified",
    "needs defined": "qualified", "proposal made": "proposal", "negotiations started": "negotiation",
}, _STATUS_WORDS)

_HUBSPOT = Preset("hubspot", "deals", {
    "record id": "external_id", "deal name": "title", "deal stage": "stage", "close date": "close_date",
    "deal owner": "owner", "amount": "amount", "pipeline": IGNORE, "create date": "created_at",
    "associated company": "customer", "associated company (primary)": "customer", "company name": "customer",
    "associated contact": "contact", "closed lost reason": "lost_reason", "original source type": "source",
    "deal source": "source", "next activity date": "next_followup", "deal type": IGNORE,
    "last activity date": "last_activity", "currency": "currency", "deal currency code": "currency",
}, {
    "appointment scheduled": "lead", "appointmentscheduled": "lead", "qualified to buy": "qualified",
    "qualifiedtobuy": "qualified", "presentation scheduled": "qualified", "presentationscheduled": "qualified",
    "decision maker bought-in": "proposal", "decisionmakerboughtin": "proposal", "contract sent": "negotiation",
    "contractsent": "negotiation", "closed won": "won", "closedwon": "won", "closed lost": "lost", "closedlost": "lost",
}, _STATUS_WORDS)

_SALESFORCE = Preset("salesforce", "deals", {
    "opportunity id": "external_id", "opportunity name": "title", "account name": "customer", "amount": "amount",
    "close date": "close_date", "stage": "stage", "opportunity owner": "owner", "created date": "created_at",
    "lead source": "source", "contact name": "contact", "primary contact": "contact", "phone": "phone",
    "email": "email", "loss reason": "lost_reason", "closed lost reason": "lost_reason", "next step": IGNORE,
    "probability (%)": IGNORE, "fiscal period": IGNORE, "age": IGNORE, "type": IGNORE,
    "amount currency": "currency", "opportunity currency": "currency", "last modified date": IGNORE,
    "next activity date": "next_followup", "last activity": "last_activity",
}, {
    "prospecting": "lead", "qualification": "qualified", "needs analysis": "qualified",
    "value proposition": "proposal", "id. decision makers": "proposal", "perception analysis": "proposal",
    "proposal/price quote": "proposal", "negotiation/review": "negotiation", "closed won": "won", "closed lost": "lost",
}, _STATUS_WORDS)

_EXCEL_ZH = Preset("excel-zh", "deals", {
    "编号": "external_id", "商机编号": "external_id", "客户编号": IGNORE, "商机名称": "title", "项目名称": "title",
    "机会名称": "title", "客户名称": "customer", "客户": "customer", "公司名称": "customer", "联系人": "contact",
    "电话": "phone", "手机": "phone", "手机号": "phone", "联系电话": "phone", "邮箱": "email", "电子邮箱": "email",
    "来源": "source", "线索来源": "source", "渠道": "source", "阶段": "stage", "销售阶段": "stage",
    "商机阶段": "stage", "状态": "status", "金额": "amount", "预计金额": "amount", "合同金额": "amount",
    "负责人": "owner", "销售": "owner", "销售负责人": "owner", "预计成交日期": "close_date",
    "创建日期": "created_at", "创建时间": "created_at", "成交日期": "closed_at", "关闭日期": "closed_at",
    "输单原因": "lost_reason", "丢单原因": "lost_reason", "客户等级": "grade", "等级": "grade", "行业": "industry",
    "下次跟进": "next_followup", "下次跟进时间": "next_followup", "备注": IGNORE, "序号": IGNORE,
    "最后跟进时间": "last_activity", "最后跟进日期": "last_activity", "最近跟进时间": "last_activity",
    "最近跟进": "last_activity", "币种": "currency", "货币": "currency",
}, {
    "线索": "lead", "初步接触": "lead", "新线索": "lead", "需求确认": "qualified", "已确认": "qualified",
    "方案": "proposal", "方案报价": "proposal", "报价": "proposal", "商务谈判": "negotiation", "谈判": "negotiation",
    "赢单": "won", "成交": "won", "已成交": "won", "输单": "lost", "丢单": "lost", "已输单": "lost",
}, _STATUS_WORDS)

_TOUCH_KINDS = {
    "call": "call", "visit": "visit", "meeting": "meeting", "email": "email", "wechat": "wechat", "demo": "demo",
    "quote": "quote", "note": "note", "lunch": "meeting", "task": "note", "deadline": "note",
    "电话": "call", "拜访": "visit", "上门": "visit", "会议": "meeting", "会面": "meeting", "邮件": "email",
    "微信": "wechat", "演示": "demo", "报价": "quote", "备注": "note", "其他": "note",
}

_SALESFLOW_TOUCHES = Preset("salesflow", "touches", {f: f for f in TOUCH_FIELDS}, {}, {}, _TOUCH_KINDS)
_PIPEDRIVE_TOUCHES = Preset("pipedrive", "touches", {
    "deal - id": "deal_external_id", "activity - deal id": "deal_external_id", "activity - type": "kind",
    "activity - due date": "at", "activity - done time": "at", "activity - note": "notes",
    "activity - subject": "outcome", "activity - assigned to user": "by", "activity - contact person": "contact",
}, {}, {}, _TOUCH_KINDS)
_EXCEL_ZH_TOUCHES = Preset("excel-zh", "touches", {
    "商机编号": "deal_external_id", "编号": "deal_external_id", "跟进方式": "kind", "方式": "kind",
    "跟进时间": "at", "时间": "at", "跟进人": "by", "负责人": "by", "跟进内容": "notes", "内容": "notes",
    "结果": "outcome", "跟进结果": "outcome", "联系人": "contact",
}, {}, {}, _TOUCH_KINDS)

PRESETS: dict[str, dict[str, Preset]] = {
    "deals": {p.name: p for p in (_SALESFLOW_DEALS, _PIPEDRIVE, _HUBSPOT, _SALESFORCE, _EXCEL_ZH)},
    "touches": {p.name: p for p in (_SALESFLOW_TOUCHES, _PIPEDRIVE_TOUCHES, _EXCEL_ZH_TOUCHES)},
}
PRESET_NAMES = ("pipedrive", "hubspot", "salesforce", "excel-zh", "salesflow")


class Columns(NamedTuple):
    """Which cells feed which field: the first non-empty of several columns wins (Pipedrive's won/lost time)."""

    preset: Preset | None
    detected: bool
    fields: dict[str, tuple[int, ...]]
    units: dict[str, int]       # field -> multiplier from a header like 金额(万元)
    unmapped: tuple[str, ...]   # header cells no field took
    currencies: dict[str, str] = {}  # field -> the currency its header names: 金额(万元) is in CNY, Amount (USD) in USD


_UNIT_CURRENCY = {"万元": "CNY", "千元": "CNY", "元": "CNY", "亿元": "CNY", "rmb": "CNY", "cny": "CNY", "¥": "CNY",
                  "usd": "USD", "$": "USD", "eur": "EUR"}


def unit_currency(header: str) -> str | None:
    """The currency a header's unit names (`金额(万元)` → CNY), or None (`金额(万)`, `Amount (k)`)."""
    match = _UNIT.match(header)
    return _UNIT_CURRENCY.get(match["unit"]) if match else None


def split_unit(header: str) -> tuple[str, int | None]:
    """`金额(万元)` → (`金额`, 10000); anything else → (header, None)."""
    match = _UNIT.match(header)
    return (match["base"], UNITS[match["unit"]]) if match else (header, None)


def header_hits(preset: Preset, header: list[str]) -> int:
    return sum(1 for cell in header if split_unit(normalise_header(cell))[0] in preset.columns)


def looks_like_header(kind: str, sources: set[str]):
    """For open_table: a row is the header when a preset knows two of its cells or it names a --map source."""
    def check(cells: list[str]) -> bool:
        normal = {normalise_header(c) for c in cells}
        if sources & normal:
            return True
        return any(header_hits(p, cells) >= 2 for p in PRESETS[kind].values())
    return check


def parse_maps(pairs: list[str]) -> list[tuple[str, str]]:
    """`--map` in the order given: a source may be mapped more than once (to created_at and to
    entered:qualified), and several sources to one field (the first non-empty, in this order, wins)."""
    out: list[tuple[str, str]] = []
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        if not sep or not source.strip():
            raise UsageProblem(_("--map {pair!r} is not SRC=VALUE").format(pair=pair), hint=_("e.g. --map 'Deal Stage=stage'"))
        out.append((normalise_header(source), target.strip()))
    return out


def parse_pairs(pairs: list[str], option: str) -> dict[str, str]:
    """`--map 'Deal Name=title'` (repeatable) → {normalised source: target}."""
    out: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        if not sep or not source.strip():
            raise UsageProblem(_("{option} {pair!r} is not SRC=VALUE").format(option=option, pair=pair), hint=_("e.g. {option} 'Deal Stage=proposal'").format(option=option))
        out[normalise_header(source)] = target.strip()
    return out


def plan_columns(kind: str, header: list[str], preset_name: str | None, maps: list[tuple[str, str]] | dict[str, str]) -> Columns:
    """Which header cells feed which field. `--map` comes first, in the order given (so `--map Stage=stage
    --map Status=stage` reads Stage and falls back on Status); the preset's names fill the columns no --map
    named. `entered:STAGE` fields carry the date a deal entered a stage (the stage word is resolved by
    the import, which knows the pipeline)."""
    pairs = list(maps.items()) if isinstance(maps, dict) else list(maps)
    allowed = DEAL_FIELDS if kind == "deals" else TOUCH_FIELDS
    for source, target in pairs:
        entered = kind == "deals" and target.startswith(ENTERED) and len(target) > len(ENTERED)
        if target != IGNORE and target not in allowed and not entered \
                and not (kind == "deals" and target.startswith("fields.")):
            raise UsageProblem(_("--map target {target!r} is not a field").format(target=target),
                               hint=_("fields: ") + ", ".join(allowed)
                               + (", fields.KEY, entered:STAGE" if kind == "deals" else "") + ", or - to drop")
    presets = PRESETS[kind]
    detected = False
    if preset_name:
        if preset_name not in presets:
            raise UsageProblem(_("preset {preset_name!r} does not exist for {kind}").format(preset_name=preset_name, kind=kind), hint=_("presets: ") + ", ".join(presets))
        preset = presets[preset_name]
    else:
        scored = sorted(((header_hits(p, header), p.name) for p in presets.values()), reverse=True)
        preset = presets[scored[0][1]] if scored and scored[0][0] >= 2 else None
        detected = preset is not None
    fields: dict[str, list[int]] = {}
    units: dict[str, int] = {}
    currencies: dict[str, str] = {}
    unmapped: list[str] = []
    normal = [normalise_header(c) for c in header]
    bases = [split_unit(n)[0] for n in normal]
    mapped: set[int] = set()
    for source, target in pairs:
        indexes = [i for i, n in enumerate(normal) if n == source] or \
                  [i for i, b in enumerate(bases) if b == split_unit(source)[0]]
        if not indexes:
            raise UsageProblem(_("--map source {source!r} is not a column of the file").format(source=source),
                               hint=_("columns: ") + ", ".join(c for c in header if c)[:300])
        for index in indexes:
            mapped.add(index)
            if target == IGNORE:
                continue
            fields.setdefault(target, []).append(index)
            unit = split_unit(normal[index])[1]
            if unit is not None:
                units[target] = unit
            if unit_currency(normal[index]):
                currencies[target] = unit_currency(normal[index])
    for index, cell in enumerate(normal):
        if index in mapped:
            continue
        base, unit = bases[index], split_unit(cell)[1]
        target = preset.columns.get(base) if preset else None
        if target is None and kind == "deals" and preset is not None and preset.name == "hubspot":
            match = _HUBSPOT_ENTERED.match(cell)
            target = ENTERED + match["stage"] if match else None
        if target is None or target == IGNORE:
            if target is None and cell:
                unmapped.append(header[index])
            continue
        fields.setdefault(target, []).append(index)
        if unit is not None:
            units[target] = unit
        if unit_currency(cell):
            currencies[target] = unit_currency(cell)
    if not fields:
        raise BadInput(_("no column of the file maps to a salesflow field"),
                       hint=_("name a preset with --preset, or map columns with --map 'Column=field'"))
    return Columns(preset, detected, {k: tuple(v) for k, v in fields.items()}, units, tuple(unmapped), currencies)
