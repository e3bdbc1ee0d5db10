"""Every label a human sees in a table, in English and Chinese. csv/json keys stay English."""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, str]] = {
    "deal_id": ("Deal", "商机"),
    "external_id": ("External id", "外部编号"),
    "title": ("Title", "标题"),
    "customer": ("Customer", "客户"),
    "contact": ("Contact", "联系人"),
    "phone": ("Phone", "电话"),
    "email": ("Email", "邮箱"),
    "owner": ("Owner", "负责人"),
    "pipeline": ("Pipeline", "流程"),
    "stage": ("Stage", "阶段"),
    "status": ("Status", "状态"),
    "amount": ("Amount", "金额"),
    "close_date": ("Close date", "预计成交"),
    "source": ("Source", "来源"),
    "grade": ("Grade", "等级"),
    "created_at": ("Created", "创建时间"),
    "closed_at": ("Closed", "关闭时间"),
    "lost_reason": ("Lost reason", "输单原因"),
    "next_followup": ("Next follow-up", "下次跟进"),
    "handle": ("Handle", "账号"),
    "name": ("Name", "姓名"),
    "role": ("Role", "角色"),
    "manager": ("Manager", "主管"),
    "team": ("Team", "团队"),
    "capacity": ("Capacity", "容量"),
    "active": ("Active", "在职"),
    "open_deals": ("Open deals", "进行中商机"),
    "deals": ("Deals", "商机数"),
    "key": ("Key", "键"),
    "label": ("Label", "名称"),
    "prior": ("Prior", "先验概率"),
    "idle_days": ("Idle limit (days)", "停滞上限(天)"),
    "entry": ("Entry criteria", "进入条件"),
    "exit": ("Exit criteria", "退出条件"),
    "days_in_stage": ("Days in stage", "阶段天数"),
    "field": ("Field", "字段"),
    "value": ("Value", "值"),
    "at": ("Time", "时间"),
    "type": ("Type", "类型"),
    "id": ("Id", "编号"),
    "what": ("What", "内容"),
    "by": ("By", "操作人"),
    "detail": ("Detail", "详情"),
    "kind": ("Kind", "类别"),
    "due_date": ("Due", "到期日"),
    "days_overdue": ("Days late", "逾期天数"),
    "reasons": ("Why", "原因"),
    "urgency": ("Urgency", "紧急度"),
    "next_action": ("Next action", "下一步"),
    "rule": ("Rule", "规则"),
    "deadline": ("Deadline", "截止时间"),
    "term": ("Term", "项"),
    "factor": ("Factor", "系数"),
    "weight": ("Weight", "权重"),
    "score": ("Score", "得分"),
    "last_touch": ("Last touch", "最近跟进"),
    "days_silent": ("Days silent", "沉默天数"),
    "last_outcome": ("Last outcome", "最近结果"),
    "action": ("Action", "动作"),
    "rep": ("Rep", "销售"),
    "month": ("Month", "月份"),
    "bar": ("", ""),
    "flag": ("", ""),
    "reached": ("Reached", "到达"),
    "next_rate": ("Next", "转化率"),
    "cumulative_rate": ("Cumulative", "累计转化"),
    "open_now": ("Open now", "当前在途"),
    "open_amount": ("Open amount", "在途金额"),
    "avg_days": ("Avg days", "平均天数"),
    "median_days": ("Median days", "中位天数"),
    "won": ("Won", "赢单"),
    "lost": ("Lost", "输单"),
    "win_rate": ("Win rate", "赢率"),
    "won_amount": ("Won amount", "赢单金额"),
    "avg_cycle_days": ("Avg cycle", "平均周期"),
    "median_cycle_days": ("Median cycle", "中位周期"),
}

NONE = ("(unassigned)", "(未分配)")
STATUS: dict[str, tuple[str, str]] = {"open": ("open", "进行中"), "won": ("won", "赢单"), "lost": ("lost", "输单")}
ROLES: dict[str, tuple[str, str]] = {"rep": ("rep", "销售"), "manager": ("manager", "主管"), "admin": ("admin", "管理员")}
BOOL: dict[bool, tuple[str, str]] = {True: ("yes", "是"), False: ("no", "否")}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def column(key: str, lang: str) -> str:
    return pick(COLUMNS.get(key, (key.replace("_", " ").capitalize(), key)), lang)
