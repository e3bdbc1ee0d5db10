"""The closed sets of words the data model uses (kept apart so rules can import them cheaply)."""

TOUCH_KINDS = ("call", "visit", "meeting", "email", "wechat", "demo", "quote", "note")
TOUCH_KIND_ALIASES = {
    "电话": "call", "拜访": "visit", "会议": "meeting", "会面": "meeting", "邮件": "email",
    "微信": "wechat", "演示": "demo", "报价": "quote", "备注": "note",
}
ROLES = ("rep", "manager", "admin")
GRADES = ("A", "B", "C")
STATUSES = ("open", "won", "lost")


# Lost reasons as other CRMs and spreadsheets word them → the standard keys (compared after NFKC, trimming and
# case-folding). A pipeline's own keys are always accepted; `import deals --reason-map SRC=KEY` adds more.
UNKNOWN_REASON = "unknown"  # a lost deal whose reason was never recorded: kept apart from a real "other"
LOST_REASON_SYNONYMS = {
    "price": ("price", "pricing", "too expensive", "price too high", "cost", "budget too low for our price",
              "价格", "价格太高", "价格高", "太贵", "报价太高", "报价高", "价格原因"),
    "competitor": ("competitor", "competition", "chose a competitor", "lost to competitor", "lost to a competitor",
                   "went with competitor", "竞品", "竞争对手", "选了别家", "选择了竞争对手", "被竞品抢单", "丢给竞品"),
    "no-budget": ("no budget", "no-budget", "budget", "lack of budget", "没预算", "没有预算", "预算不足", "无预算"),
    "no-decision": ("no decision", "no-decision", "no decision made", "status quo", "不了了之", "没有决策", "决策搁置", "未决策"),
    "timing": ("timing", "bad timing", "not now", "not the right time", "时机不对", "时间不合适", "推迟", "延期"),
    "bad-fit": ("bad fit", "bad-fit", "not a fit", "poor fit", "product fit", "不匹配", "需求不符", "需求不匹配"),
    "unresponsive": ("unresponsive", "no response", "went dark", "ghosted", "no reply", "失联", "联系不上", "无响应", "不回复"),
    "other": ("other", "others", "其他", "其它"),
}

# How the standard lost-reason keys read on screen (en, zh); a pipeline's own keys read as themselves.
LOST_REASON_LABELS = {
    "price": ("Price", "价格"), "competitor": ("Competitor", "竞争对手"), "no-budget": ("No budget", "没有预算"),
    "no-decision": ("No decision", "未决策"), "timing": ("Timing", "时机不对"), "bad-fit": ("Bad fit", "需求不匹配"),
    "unresponsive": ("Unresponsive", "失联"), "other": ("Other", "其他"), "unknown": ("Unknown", "未知"),
}
