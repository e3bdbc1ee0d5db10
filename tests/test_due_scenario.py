"""Two weeks of one team's follow-ups, with pinned clocks: every follow-up rule, its suppression and its
fulfilment, grade windows, --days, --all, --check, csv, assign and sweep."""

from __future__ import annotations

import json

import pytest

from conftest import at

HEADER = "deal_id,customer,title,owner,stage,grade,due_date,days_overdue,reasons,urgency,next_action"


def due(cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("due", *args, "-f", "json").out)


def brief(rows: list[dict]) -> list[tuple]:
    return [(r["deal_id"], r["due_date"], r["days_overdue"], r["reasons"]) for r in rows]


@pytest.fixture
def week(team):
    """Monday 2026-11-02 09:00: wang gets an A, a B and a C lead; one lead is unassigned."""
    at(team, "2026-11-02T09:00")
    for company, grade in (("Alpha 科技", "A"), ("Beta 电子", "B"), ("Gamma 物流", "C")):
        team.ok("lead", "add", company, "--contact", "张三", "--email", f"{grade}@x.cn", "--source", "expo",
                "--grade", grade, "--owner", "wang")
    team.ok("lead", "add", "Delta 医疗", "--contact", "李四", "--email", "d@x.cn", "--source", "web")
    return team


def test_monday_first_touch_windows_and_days_ahead(week):
    assert due(week, "--as", "wang") == []
    assert week.ok("due", "--as", "wang").err.startswith("nothing due by today")
    assert week.ok("due", "--as", "wang", "--check").code == 0
    # A: first touch within 1 day; every untouched lead goes idle after the lead stage's 3 days
    assert brief(due(week, "--as", "wang", "--days", "1")) == [(1, "2026-11-03", -1, "first-touch")]
    assert brief(due(week, "--as", "wang", "--days", "7")) == [  # upcoming: soonest first, then urgency
        (1, "2026-11-03", -1, "first-touch;stage-idle"),
        (2, "2026-11-05", -3, "first-touch;stage-idle"),  # B: 3 days, same instant as idle
        (3, "2026-11-05", -3, "stage-idle;first-touch"),  # C: 7 days, so idle comes first
    ]


def test_the_manager_sees_unassigned_leads(week):
    # 09:20: the 30-minute window ends at 09:30 today, so the lead is on today's list (date-level) …
    assert brief(due(at(week, "2026-11-02T09:20"), "--as", "li")) == [(4, "2026-11-02", 0, "unassigned")]
    assert week.ok("sweep", "--check").code == 0  # … but not yet a breach (an instant)
    rows = due(at(week, "2026-11-02T10:00"), "--as", "li")
    assert rows[0]["next_action"] == "assign an owner — unassigned for 1 h"
    assert due(week, "--as", "wang") == []  # reps do not see unassigned leads


def test_a_week_of_follow_ups(week):
    # Tuesday: the A lead's first touch is due today (date-level), not overdue yet
    rows = due(at(week, "2026-11-03T10:00"), "--as", "wang")
    assert brief(rows) == [(1, "2026-11-03", 0, "first-touch")]
    assert rows[0]["next_action"] == "first call — A-grade lead untouched 1 day"
    assert week.ok("due", "--as", "wang", "--check").code == 0
    # Wednesday: overdue, so --check alerts (and still prints the list)
    at(week, "2026-11-04T08:00")
    assert brief(due(week, "--as", "wang")) == [(1, "2026-11-03", 1, "first-touch")]
    assert "Alpha 科技" in week.fails(3, "due", "--as", "wang", "--check").out
    # the call happens, with a plan for Friday: first-touch is gone, stage-idle suppressed by the plan
    week.ok("touch", "1", "--kind", "call", "--next", "fri")
    assert due(week, "--as", "wang") == []
    assert "suppressed: a follow-up is planned" in week.ok("why", "1").out
    # Thursday: B's first touch and idle limit; C's idle limit
    assert brief(due(at(week, "2026-11-05T09:00"), "--as", "wang")) == [
        (2, "2026-11-05", 0, "first-touch;stage-idle"), (3, "2026-11-05", 0, "stage-idle")]
    # Friday: overdue first (by urgency: B is grade B, C grade C), then today's plan for A
    at(week, "2026-11-06T09:00")
    assert brief(due(week, "--as", "wang")) == [
        (2, "2026-11-05", 1, "first-touch;stage-idle"), (3, "2026-11-05", 1, "stage-idle"),
        (1, "2026-11-06", 0, "scheduled")]
    run = week.ok("touch", "1", "--kind", "call", "--note", "约了下周三见面")
    assert "follow-up due 2026-11-06 00:00 is done" in run.err  # the touch fulfilled the plan
    assert [r["deal_id"] for r in due(week, "--as", "wang")] == [2, 3]
    # no plan any more: A idles 3 days after the touch (Monday 09:00)
    assert brief(due(week, "--as", "wang", "--days", "3"))[2] == (1, "2026-11-09", -3, "stage-idle")
    # Friday 23:30: a visit to B without notes: notes are due within 24 h
    at(week, "2026-11-06T23:30")
    touch = week.ok("touch", "2", "--kind", "visit").out.split()[1]
    rows = due(at(week, "2026-11-07T10:00"), "--as", "wang")
    assert brief(rows) == [(3, "2026-11-05", 2, "stage-idle"), (2, "2026-11-07", 0, "visit-notes")]
    assert rows[1]["next_action"] == "write visit notes (visit on 11-06 23:30)"
    week.ok("note", touch, "见了采购和IT总监，需求明确")
    assert [r["deal_id"] for r in due(week, "--as", "wang")] == [3]
    # Monday 2026-11-09 08:00
    at(week, "2026-11-09T08:00")
    assert week.ok("due", "--as", "wang", "-f", "csv").out.splitlines() == [
        HEADER,
        # C: 4 days overdue: 12 × (0.2 + 0.8 × 18/21) + grade 0 + stage 0.1 × 4 + 1 breach of 3 × 3 = 12.03
        "3,Gamma 物流,Gamma 物流,wang,lead,C,2026-11-05,4,stage-idle;first-touch,12.03,"
        "stage idle: no plan in lead for 6 days — schedule a follow-up or move it",
        # A: due today: 12 × (0.2 + 0.8 × 14/21) + 3 + 0.4 = 12.20
        "1,Alpha 科技,Alpha 科技,wang,lead,A,2026-11-09,0,stage-idle,12.20,"
        "stage idle: no plan in lead for 2 days — schedule a follow-up or move it",
        # B: 8.8 + 1.5 + 0.4 = 10.70
        "2,Beta 电子,Beta 电子,wang,lead,B,2026-11-09,0,stage-idle,10.70,"
        "stage idle: no plan in lead for 2 days — schedule a follow-up or move it",
    ]


def test_csv_is_exact(week):
    at(week, "2026-11-04T08:00")
    # 12 × (0.2 + 0.8 × 15/21) + 3 (A) + 0.4 (lead 10%) + 1 breach (first-touch) of 3 × 3 = 13.66
    assert week.ok("due", "--as", "wang", "-f", "csv").out == (
        HEADER + "\n"
        "1,Alpha 科技,Alpha 科技,wang,lead,A,2026-11-03,1,first-touch,13.66,first call — A-grade lead untouched 1 day\n")


def test_all_groups_by_rep_with_unassigned_first(week):
    at(week, "2026-11-05T10:00")
    rows = due(week, "--all")
    assert [(r["owner"], r["deal_id"]) for r in rows] == [(None, 4), ("wang", 1), ("wang", 2), ("wang", 3)]
    table = week.ok("due", "--all").out
    assert table.index("Owner: (unassigned)") < table.index("Owner: wang")
    assert brief(due(week, "--team", "east")) == brief(rows[1:])  # teams hold reps, not unassigned leads
    assert "no reps in team 'west'" in week.fails(1, "due", "--team", "west").err


def test_whose_list(week):
    at(week, "2026-11-04T08:00")
    out = week.ok("due", "-f", "csv", env={"SALESFLOW_REP": "wang"}).out
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["1"]
    assert "no rep 'nobody'" in week.fails(1, "due", "--as", "nobody").err
    assert "negative" in week.fails(1, "due", "--as", "wang", "--days", "-1").err


def test_assign_then_sweep_escalates_then_reassigns(week):
    at(week, "2026-11-02T10:00")
    assert week.ok("assign", "--dry-run").out == "would assign #4 → zhao (open deals 0/50 → 1/50)\n"
    assert week.query("SELECT owner FROM deal WHERE id = 4") == [(None,)]
    week.ok("assign")
    assert week.query("SELECT owner, assigned_at FROM deal WHERE id = 4") == [("zhao", "2026-11-02T10:00:00")]
    assert week.ok("assign").out == "nothing to assign: every open deal has an owner\n"
    # Tuesday 10:00: the A lead (1 day window) is untouched: escalated to li, once
    at(week, "2026-11-03T10:00")
    run = week.fails(3, "sweep", "--check")
    assert run.out == "escalated #1 to li: wang has not touched this A-grade lead in 1 day\n"
    before = week.dump()
    assert week.fails(3, "sweep", "--check").out == ""  # idempotent: still a breach, nothing new done
    assert week.dump() == before
    rows = due(week, "--as", "li")
    assert [(r["deal_id"], r["owner"], r["reasons"]) for r in rows] == [(1, "wang", "first-touch;escalated")]
    assert rows[0]["next_action"] == "escalated: wang has not touched this A-grade lead in 1 day"
    assert "escalated" not in json.dumps(due(week, "--as", "wang"))
    # Wednesday 10:00: past twice the window: --reassign gives it to the other rep of the team
    at(week, "2026-11-04T10:00")
    assert week.ok("sweep").out == ""  # without --reassign nothing more happens
    run = week.ok("sweep", "--reassign")
    assert run.out == "reassigned #1 from wang (untouched 2 days): → zhao (open deals 1/50 → 2/50)\n"
    assert due(week, "--as", "li") == []  # the escalation was about wang; zhao's clock starts now
    assert week.ok("sweep", "--reassign").out == ""


def test_sweep_assigns_late_unassigned_leads_and_check_is_quiet_when_all_is_well(week):
    at(week, "2026-11-02T09:10")
    quiet = week.ok("sweep", "--check")  # within the 30-minute window
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")  # cron mails nothing
    at(week, "2026-11-02T09:45")
    assert week.fails(3, "sweep", "--check").out == "#4: unassigned past the 30-minute window (15 min late)\n"
    # every 15 minutes from cron: the same condition is told once; the breach still sets the exit code
    at(week, "2026-11-02T10:00")
    again = week.fails(3, "sweep", "--check")
    assert (again.out, again.err) == ("", "")
    assert week.ok("sweep", "--assign").out == "assigned #4 → zhao (open deals 0/50 → 1/50)\n"
    assert week.ok("sweep", "--check").code == 0


def test_sweep_tells_a_rep_without_a_manager_once_and_does_not_count_it_as_an_action(week):
    week.ok("rep", "set", "wang", "--manager", "")
    week.ok("assign")  # deal 4 gets an owner: only the untouched lead is left
    at(week, "2026-11-03T10:00")
    first = week.fails(3, "sweep", "--check")
    assert first.out == "#1: wang has not touched this A-grade lead in 1 day, and has no manager to escalate to\n"
    assert first.err.endswith("SLA breaches, 0 actions, 1 notice\n") or first.err == "1 SLA breach, 0 actions, 1 notice\n"
    at(week, "2026-11-03T10:15")
    again = week.fails(3, "sweep", "--check")
    assert (again.out, again.err) == ("", "")


def test_assign_balances_by_load_then_recent_then_handle(team):
    at(team, "2026-11-02T09:00")
    team.ok("rep", "set", "zhao", "--capacity", "100")
    team.ok("rep", "add", "sun", "--name", "孙丽", "--team", "south", "--capacity", "0")
    for i in range(3):
        team.ok("lead", "add", f"Co {i}", "--contact", "x", "--email", f"{i}@x.cn", "--source", "w", "--owner", "wang")
    for i in range(4):
        team.ok("lead", "add", f"New {i}", "--contact", "x", "--email", f"n{i}@x.cn", "--source", "w")
    # wang 3/50 vs zhao 0/100: zhao until the ratios cross; sun has no capacity
    lines = team.ok("assign").out.splitlines()
    assert [line.split()[3] for line in lines] == ["zhao", "zhao", "zhao", "zhao"]
    team.ok("lead", "add", "Late Co", "--contact", "x", "--email", "late@x.cn", "--source", "w")
    assert "no active rep to assign to in team south" in team.fails(1, "assign", "--team", "south").err


def test_domain_tie_breaks():
    from salesflow.domain.assignment import Candidate, pick

    a = Candidate("amy", "t", 10, 5, 2)
    b = Candidate("bob", "t", 20, 10, 1)  # same load 1/2, fewer recent
    c = Candidate("cat", "t", 20, 10, 1)  # same as bob: handle decides
    assert pick([a, b, c]).handle == "bob"
    assert pick([a, c]).handle == "cat"
    assert pick([a, b, c], exclude=frozenset({"bob", "cat"})).handle == "amy"
    assert pick([Candidate("z", "t", 0, 0, 0)]) is None


def test_ics_parses_with_stable_uids(week, tmp_path):
    import icalendar

    at(week, "2026-11-03T10:00")
    week.ok("touch", "1", "--kind", "call")
    at(week, "2026-11-05T09:00")
    week.ok("followup", "1", "2026-11-05T15:30")
    target = tmp_path / "due.ics"
    week.ok("due", "--as", "wang", "--ics", "-o", str(target))
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = {str(e["summary"]).split(":")[0]: e for e in cal.walk("VEVENT")}
    assert sorted(events) == ["#1 Alpha 科技", "#2 Beta 电子", "#3 Gamma 物流"]
    assert events["#1 Alpha 科技"].decoded("dtstart").isoformat() == "2026-11-05T15:30:00"  # a planned call
    assert events["#2 Beta 电子"].decoded("dtstart").isoformat() == "2026-11-05"  # an all-day deadline
    first = sorted(str(e["uid"]) for e in cal.walk("VEVENT"))
    at(week, "2026-11-06T09:00")
    week.ok("due", "--as", "wang", "--ics", "-o", str(target))
    again = {str(e["summary"]).split(":")[0]: e for e in icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")}
    assert sorted(str(e["uid"]) for e in again.values()) == first  # updates, not duplicates
    assert again["#2 Beta 电子"].decoded("dtstart").isoformat() == "2026-11-06"  # overdue: on today's agenda


def test_silent_customers(week):
    at(week, "2026-11-02T12:00")
    week.ok("touch", "1", "--kind", "call", "--outcome", "interested")
    week.ok("lose", "3", "--reason", "timing")
    at(week, "2026-12-10T09:00")
    rows = json.loads(week.ok("silent", "--days", "30", "-f", "json").out)
    assert [(r["customer"], r["grade"], r["owner"], r["days_silent"], r["open_deals"], r["last_outcome"]) for r in rows] == [
        ("Delta 医疗", "B", None, 38, 1, None),
        ("Alpha 科技", "A", "wang", 38, 1, "interested"),
        ("Beta 电子", "B", "wang", 38, 1, None),
        ("Gamma 物流", "C", "wang", 38, 0, None),  # lost on 11-02, 30+ days ago: worth reactivating
    ]
    assert rows[1]["last_touch"] == "2026-11-02T12:00:00"
    # 60 days: nobody has been around that long without a touch
    assert json.loads(week.ok("silent", "--days", "60", "-f", "json").out) == []


@pytest.mark.sqlite_only  # SQLite's query plans
def test_due_query_for_one_rep_never_scans_deals_or_touches(team):
    import sqlite3

    from salesflow.store.due import DueScope, due_query

    conn = sqlite3.connect(team.db)
    for scope in (DueScope(owners=("wang",)), DueScope(owners=("li",), unassigned=True, escalated_to="li", escalations=True)):
        sql, params = due_query(scope, "2026-11-23T10:00:00")
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        scans = [step for step in plan if step.startswith("SCAN") and ("deal" in step or "touch" in step or " t" in step)]
        assert scans == [], plan
    conn.close()


def test_why_prints_every_deadline_term_and_blocker(week):
    at(week, "2026-11-04T08:00")
    out = week.ok("why", "#1").out
    assert out.splitlines()[0] == "#1 Alpha 科技 (lead, grade A, owner wang)"  # the title holds the customer: said once
    for expected in ("first-touch  2026-11-03 09:00  passed", "stage-idle   2026-11-05 09:00  later",
                     "due", "grade", "stage", "amount", "breach", "13.66",
                     "stage probability: p = 10.0% for lead", "n = 0 deals closed", "to move to qualified:", "need is empty — set it with: salesflow set 1 need=…"):
        assert expected in out, expected
    week.ok("config", "set", "urgency.grade", "0")
    assert "10.66" in week.ok("why", "1").out  # the grade term's 3.00 is gone
    assert "not a setting" in week.fails(1, "config", "set", "urgency.colour", "1").err
    assert "from 0 to 1000" in week.fails(1, "config", "set", "urgency.due", "nan").err
    week.ok("set", "1", "need=x", "budget=y", "decision_maker=z")
    assert "ready to move to qualified: salesflow advance 1 qualified" in week.ok("why", "1").out
    week.ok("lose", "1", "--reason", "timing")
    assert "no deadlines: the deal is closed" in week.ok("why", "1").err
