"""The closed sets of words the data model uses (kept apart so rules can import them cheaply)."""

TOUCH_KINDS = ("call", "visit", "meeting", "email", "wechat", "demo", "quote", "note")
TOUCH_KIND_ALIASES = {
    "电话": "call", "拜访": "visit", "会议": "meeting", "会面": "meeting", "邮件": "email",
    "微信": "wechat", "演示": "demo", "报价": "quote", "备注": "note",
}
ROLES = ("rep", "manager", "admin")
GRADES = ("A", "B", "C")
STATUSES = ("open", "won", "lost")
