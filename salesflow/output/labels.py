"""Every label a human sees in a table (English here; Chinese in the message catalog). csv/json keys stay English."""

from __future__ import annotations

from salesflow.i18n import N_, _

COLUMNS: dict[str, str] = {
    "case": N_("Case"),
    "scope": N_("Scope"),
    "slice": N_("Deals"),
    "dimension": N_("Dimension"),
    "group": N_("Group"),
    "new_deals": N_("New deals"),
    "answered": N_("Answered"),
    "unanswered": N_("Unanswered"),
    "state": N_("State"),
    "required": N_("Required"),
    "guide": N_("Guide"),
    "done_at": N_("Done at"),
    "done_by": N_("Done by"),
    "touch_id": N_("Touch"),
    "steps": N_("Steps"),
    "notes": N_("Notes"),
    "cycle_days": N_("Cycle days"),
    "deal_id": N_("Deal"),
    "external_id": N_("External id"),
    "title": N_("Title"),
    "customer": N_("Customer"),
    "contact": N_("Contact"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "owner": N_("Owner"),
    "pipeline": N_("Pipeline"),
    "stage": N_("Stage"),
    "status": N_("Status"),
    "amount": N_("Amount"),
    "close_date": N_("Close date"),
    "source": N_("Source"),
    "grade": N_("Grade"),
    "created_at": N_("Created"),
    "closed_at": N_("Closed"),
    "lost_reason": N_("Lost reason"),
    "next_followup": N_("Next follow-up"),
    "handle": N_("Handle"),
    "name": N_("Name"),
    "role": N_("Role"),
    "manager": N_("Manager"),
    "team": N_("Team"),
    "capacity": N_("Capacity"),
    "active": N_("Active"),
    "open_deals": N_("Open deals"),
    "deals": N_("Deals"),
    "key": N_("Key"),
    "label": N_("Label"),
    "prior": N_("Prior"),
    "idle_days": N_("Idle days"),
    "entry": N_("Entry criteria"),
    "exit": N_("Exit criteria"),
    "days_in_stage": N_("Days in stage"),
    "field": N_("Field"),
    "value": N_("Value"),
    "at": N_("Time"),
    "type": N_("Type"),
    "id": N_("Id"),
    "what": N_("What"),
    "by": N_("By"),
    "detail": N_("Detail"),
    "kind": N_("Kind"),
    "due_date": N_("Due"),
    "days_overdue": N_("Days late"),
    "reasons": N_("Why"),
    "urgency": N_("Urgency"),
    "next_action": N_("Next action"),
    "rule": N_("Rule"),
    "deadline": N_("Deadline"),
    "term": N_("Term"),
    "factor": N_("Factor"),
    "weight": N_("Weight"),
    "score": N_("Score"),
    "last_touch": N_("Last touch"),
    "days_silent": N_("Days silent"),
    "last_outcome": N_("Last outcome"),
    "action": N_("Action"),
    "line": N_("Line"),
    "note": N_("Note"),
    "deal": N_("Deal"),
    "rep": N_("Rep"),
    "month": N_("Month"),
    "reached": N_("Reached"),
    "next_rate": N_("Next"),
    "cumulative_rate": N_("Cumulative"),
    "open_now": N_("Open now"),
    "open_amount": N_("Open amount"),
    "avg_days": N_("Avg days"),
    "median_days": N_("Median days"),
    "won": N_("Won"),
    "lost": N_("Lost"),
    "win_rate": N_("Win rate"),
    "won_amount": N_("Won amount"),
    "avg_cycle_days": N_("Avg cycle"),
    "median_cycle_days": N_("Median cycle"),
    "idle_limit": N_("Idle limit"),
    "last_note": N_("Last note"),
    "stuck": N_("Stuck"),
    "longest_days": N_("Longest (days)"),
    "longest_deal": N_("Longest deal"),
    "longest_owner": N_("Its owner"),
    "longest_stage": N_("Its stage"),
    "overdue": N_("Overdue"),
    "overdue_pct": N_("Overdue %"),
    "stuck_15d": N_("Stuck 15d+"),
    "days_since_progress": N_("Days since progress"),
    "share": N_("Share"),
    "largest_won": N_("Largest won"),
    "largest_won_customer": N_("Won: customer"),
    "largest_won_amount": N_("Won: amount"),
    "largest_lost": N_("Largest lost"),
    "largest_lost_customer": N_("Lost: customer"),
    "largest_lost_amount": N_("Lost: amount"),
    "largest_lost_reason": N_("Reason"),
    "touches": N_("Touches"),
    "outcome": N_("Outcome"),
    "metric": "",
    "trend": N_("Trend"),
    "weighted": N_("Weighted"),
    "target": N_("Target"),
    "gap": N_("Gap"),
    "p10": N_("P10"), "p50": N_("P50"), "p90": N_("P90"),
    "closed_reached": N_("n (closed, reached)"),
    "won_reached": N_("w (won)"),
    "probability": N_("p"),
    "forecast": N_("Forecast"),
    "actual": N_("Actual"),
    "bias": N_("Bias"),
    "error_pct": N_("Error"),
    "snapshot": N_("Snapshot"),
    "as_of": N_("As of"),
    "horizon_end": N_("Until"),
    "in_horizon": N_("Closing in horizon"),
    "won_all": N_("Won incl. new deals"),
    "args": N_("Command"),
    "changes": N_("Changes"),
    "undone_by": N_("Undone by"),
    "bar": N_("Funnel"),
    "amount_original": N_("Amount as imported"),
    "last_activity_at": N_("Last activity"),
    "history": N_("History"),
    "flag": N_("Flag"),
    "check": N_("Check"),
    "result": N_("Result"),
    "default": N_("Default"),
}

NONE = N_("(unassigned)")
STATUS: dict[str, str] = {"open": N_("open"), "won": N_("won"), "lost": N_("lost")}
ROLES: dict[str, str] = {"rep": N_("rep"), "manager": N_("manager"), "admin": N_("admin")}
HEALTH: dict[str, str] = {"red": N_("red"), "yellow": N_("yellow"), "green": N_("green")}
BOOL: dict[bool, str] = {True: N_("yes"), False: N_("no")}
TOUCH_KINDS: dict[str, str] = {"call": N_("call"), "visit": N_("visit"), "meeting": N_("meeting"), "email": N_("email"),
                               "wechat": N_("wechat"), "demo": N_("demo"), "quote": N_("quote"), "note": N_("note")}
BOARD_STATES: dict[str, str] = {"overdue": N_("overdue"), "today": N_("due today"), "no-plan": N_("no plan"),
                                 "planned": N_("planned")}
ACTION_STATE: dict[str, str] = {"done": N_("done"), "to do": N_("to do")}
TIMELINE: dict[str, str] = {"stage": N_("stage"), "touch": N_("touch")}
KINDS: dict[str, str] = {"open": N_("open"), "won": N_("won"), "lost": N_("lost")}
RESULTS: dict[str, str] = {"ok": N_("ok"), "problem": N_("problem"), "warning": N_("warning"), "skipped": N_("skipped")}
CHECKS: dict[str, str] = {"integrity": N_("integrity"), "schema": N_("schema"), "permissions": N_("permissions"),
                          "filesystem": N_("filesystem"), "row security": N_("row security"), "file checks": N_("file checks"),
                          "collation": N_("collation")}
# lost-reason keys as a table shows them (the standard keys; a pipeline's own keys read as themselves)
LOST_REASONS: dict[str, str] = {"price": N_("price"), "competitor": N_("competitor"), "no-budget": N_("no-budget"),
                                "no-decision": N_("no-decision"), "timing": N_("timing"), "bad-fit": N_("bad-fit"),
                                "unresponsive": N_("unresponsive"), "other": N_("other"), "unknown": N_("unknown")}
# the terms of an urgency score (`why`)
TERMS: dict[str, str] = {"due": N_("due"), "grade": N_("grade"), "stage": N_("stage"), "amount": N_("amount"),
                         "breach": N_("breach"), "total": N_("total")}
# a --by grouping as titles name it ("Funnel by rep" / "漏斗（按销售）")
GROUPS: dict[str, str] = {"rep": N_("rep"), "team": N_("team"), "manager": N_("manager"), "source": N_("source"),
                          "grade": N_("grade"), "pipeline": N_("pipeline"), "month": N_("month"), "stage": N_("stage")}
# values that tables show as words: forecast months that are not months, flags, import actions
VALUES: dict[str, str] = {"past-due": N_("past-due"), "unscheduled": N_("unscheduled"), "later": N_("later"),
                          "ahead": N_("ahead"), "behind": N_("behind"), "hollow": N_("hollow"), "create": N_("create"),
                          "update": N_("update"), "unchanged": N_("unchanged"), "skip": N_("skip"), "reject": N_("reject")}
# the rules of `due` as its Why column shows them (the codes stay as they are in English and in csv/json)
RULES: dict[str, str] = {"scheduled": N_("scheduled"), "first-touch": N_("first-touch"), "cadence": N_("cadence"),
                         "stage-idle": N_("stage-idle"), "visit-notes": N_("visit-notes"), "unassigned": N_("unassigned"),
                         "escalated": N_("escalated"), "review": N_("review")}


def pick(pair: tuple[str, str], lang: str) -> str:
    """A label the data defines in both languages (a stage's name and label_zh)."""
    return pair[1] if lang == "zh" else pair[0]


def column(key: str, lang: str | None = None) -> str:
    """A column's header in the current language (from the catalog; `lang` is not needed)."""
    label = COLUMNS.get(key)
    return _(label) if label is not None else key.replace("_", " ").capitalize()


def word(words: dict, value) -> str:
    """A value's word (a status, role, health colour, yes/no) in the current language."""
    label = words.get(value)
    return _(label) if label is not None else str(value)


def hidden_note(headers: list[str], width: int, lang: str | None = None) -> str:
    """The footer of a table that hid columns to fit the terminal."""
    return _("not shown at {width} columns: {columns} (--wide shows every column)").format(
        width=width, columns=_(", ").join(headers))
