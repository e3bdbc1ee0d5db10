"""Playbooks (a stage's standard actions), touch templates, spot checks and the activity numbers,
each worked out by hand on a small scenario with pinned clocks."""

from __future__ import annotations

import json

import pytest

from conftest import add_lead, at
from test_undo import data


def walk_to_proposal(cli, deal: int) -> None:
    cli.ok("set", str(deal), "need=CRM", "budget=50万", "decision_maker=张总")
    cli.ok("advance", str(deal), "qualified")
    cli.ok("set", str(deal), "amount=12万", "close=2026-12-20")
    cli.ok("advance", str(deal), "proposal")


# ---------------------------------------------------------------------------------------------
# the playbook itself


def test_playbook_csv_rows_are_the_standard_templates_actions(team):
    rows = team.ok("playbook", "-f", "csv").out.splitlines()
    assert rows[0] == "stage,key,name,required,guide"
    keys = [line.split(",")[:2] + [line.split(",")[3]] for line in rows[1:] if line.count(",") >= 4 and not line.startswith('"')]
    assert ["proposal", "confirm-decision-maker", "true"] in keys
    assert ["proposal", "send-quote", "true"] in keys
    assert ["proposal", "fix-review-date", "false"] in keys
    data = json.loads(team.ok("playbook", "proposal", "-f", "json").out)
    assert [r["key"] for r in data] == ["confirm-decision-maker", "send-quote", "fix-review-date", "collect-feedback"]
    assert data[0]["name"] == "Confirm the decision maker"  # csv/json keep the English name in every language
    assert json.loads(team.ok("--lang", "zh", "playbook", "proposal", "-f", "json").out) == data


def test_playbook_prints_guides_in_the_readers_language(team):
    en = team.ok("playbook", "proposal").out
    assert "Confirm the decision maker [confirm-decision-maker] — required" in en
    assert "Send the quote in writing" in en and "报价" not in en
    zh = team.ok("--lang", "zh", "playbook", "proposal").out
    assert "确认决策人 [confirm-decision-maker]" in zh and "书面发送报价" in zh
    assert "Send the quote in writing" not in zh
    whole = team.ok("playbook").out
    assert "five-step" in whole and "Next visit booked [next-visit]" in whole  # the touch templates follow
    team.fails(1, "playbook", "nosuchstage")


@pytest.mark.parametrize("bad, problem", [
    ('[[stages.actions]]\nkey = "x"\nname = "X"\nrequired = "yes"\n', "stages[1].actions[2].required: expected true/false"),
    ('[[stages.actions]]\nkey = "Bad Key"\nname = "X"\n', "stages[1].actions[2].key: 'Bad Key' must be"),
    ('[[stages.actions]]\nkey = "x"\nname = "X"\ntouch = "fax"\n', "stages[1].actions[2].touch: unknown kind 'fax'"),
    ('[[stages.actions]]\nkey = "x"\nname = "X"\nguide = "a\\u001b[31m"\n', "stages[1].actions[2].guide: must be at most"),
    ('[[stages.actions]]\nkey = "x"\nname = "X"\nwhat = 1\n', "stages[1].actions[2].what: unknown setting"),
])
def test_pipeline_load_validates_actions(team, tmp_path, bad, problem):
    source = team.ok("pipeline", "export", "standard").out
    marker = 'key = "qualified"'
    text = source.replace(marker, marker, 1)
    cut = text.index("\n[[stages]]", text.index(marker))
    broken = text[:cut] + "\n" + bad + text[cut:]
    path = tmp_path / "p.toml"
    path.write_text(broken, encoding="utf-8")
    run = team.fails(1, "pipeline", "load", str(path))
    assert problem in run.err, run.err


def test_pipeline_load_refuses_a_template_with_too_many_required_steps(team, tmp_path):
    source = team.ok("pipeline", "export", "standard").out
    steps = "".join(f'[[templates.steps]]\nkey = "s{i}"\nname = "S{i}"\nrequired = true\n' for i in range(9))
    path = tmp_path / "p.toml"
    path.write_text(source + '\n[[templates]]\nkey = "long"\nname = "Long"\n' + steps, encoding="utf-8")
    assert "at most 8 required steps" in team.fails(1, "pipeline", "load", str(path)).err


# ---------------------------------------------------------------------------------------------
# recording actions


def test_did_records_an_action_in_the_change_log_and_undo_reverts_it(team):
    deal = add_lead(team)
    walk_to_proposal(team, deal)
    before = data(team)
    run = team.ok("--as", "wang", "did", str(deal), "confirm-decision-maker", "--note", "met 张总")
    assert run.out.strip() == f"#{deal}: done in proposal: Confirm the decision maker"
    assert "still to do in proposal: Send the formal quote" in run.err
    assert team.query("SELECT stage, action, by, notes FROM action_done") == [
        ("proposal", "confirm-decision-maker", "wang", "met 张总")]
    # the same again changes nothing and says so
    again = team.fails(1, "--as", "wang", "did", str(deal), "confirm-decision-maker")
    assert "already done in proposal" in again.err
    team.ok("--as", "wang", "undo")
    assert data(team) == before
    # an action of another stage, and a typo, are refused with the stage's actions as the hint
    assert "first-call is an action of lead" in team.fails(1, "did", str(deal), "first-call").err
    typo = team.fails(1, "did", str(deal), "send-qoute")
    assert "is not an action of stage proposal" in typo.err and "did you mean send-quote" in typo.err
    # a required action is recorded by its whole key, name or label, never by a prefix
    assert "is not an action" in team.fails(1, "did", str(deal), "s").err
    assert "is not an action" in team.fails(1, "did", str(deal), "确认").err
    assert data(team) == before


def test_undo_of_an_action_a_later_move_stood_on_is_refused(team):
    deal = add_lead(team)
    walk_to_proposal(team, deal)
    team.ok("--as", "wang", "did", str(deal), "confirm-decision-maker")
    team.ok("--as", "wang", "touch", str(deal), "--kind", "quote")
    team.ok("--as", "li", "advance", str(deal), "negotiation")
    before = data(team)
    assert "li changed the same records later (advance" in team.fails(1, "--as", "wang", "undo").err
    assert data(team) == before
    team.ok("--as", "li", "undo")  # once the move is undone, the touch and the action can be
    team.ok("--as", "wang", "undo")
    team.ok("--as", "wang", "undo")
    assert team.query("SELECT COUNT(*) FROM action_done") == [(0,)]


def test_a_back_dated_touch_cannot_do_an_action_of_a_later_stage_visit(team):
    deal = add_lead(team)
    walk_to_proposal(team, deal)  # entered proposal at 09:00
    before = data(team)
    run = team.fails(1, "touch", str(deal), "--kind", "call", "--at", "2026-11-01 15:00", "--did", "fix-review-date")
    assert f"is before #{deal} entered proposal" in run.err
    assert data(team) == before


def test_touch_did_records_actions_with_the_touch_and_one_undo_takes_both(team):
    deal = add_lead(team)
    walk_to_proposal(team, deal)
    before = data(team)
    run = team.ok("--as", "wang", "touch", str(deal), "--kind", "visit", "--did", "confirm-decision-maker",
                  "--did", "确认决策人", "--did", "collect-feedback", "--note", "见了张总")
    touch_id = int(run.out.split()[1])
    assert team.query("SELECT action, touch_id FROM action_done ORDER BY id") == [
        ("confirm-decision-maker", touch_id), ("collect-feedback", touch_id)]
    assert team.fails(1, "advance", str(deal), "negotiation").err.count("action not done") == 1  # the quote
    team.ok("--as", "wang", "undo")
    assert data(team) == before


def test_actions_count_for_the_current_visit_of_the_stage_only(team):
    deal = add_lead(team)
    walk_to_proposal(team, deal)
    at(team, "2026-11-03T09:00").ok("did", str(deal), "confirm-decision-maker")
    team.ok("touch", str(deal), "--kind", "quote")
    at(team, "2026-11-04T09:00").ok("advance", str(deal), "negotiation")
    at(team, "2026-11-05T09:00").ok("advance", str(deal), "proposal", "--reason", "new scope")
    err = at(team, "2026-11-06T09:00").fails(1, "advance", str(deal), "negotiation").err
    assert "Confirm the decision maker" in err and "Send the formal quote" in err


def test_show_and_why_print_the_checklist(team):
    deal = add_lead(team)
    walk_to_proposal(team, deal)
    at(team, "2026-11-03T10:00").ok("--as", "wang", "did", str(deal), "confirm-decision-maker")
    show = team.ok("show", str(deal)).out
    assert "Checklist: proposal" in show
    lines = [line for line in show.splitlines() if "Confirm the decision maker" in line or "Send the formal quote" in line]
    assert "done" in lines[0] and "2026-11-03 10:00" in lines[0] and "wang" in lines[0]
    assert lines[1].startswith("to do")
    why = team.ok("why", str(deal)).out
    assert "Checklist: proposal" in why
    assert f"salesflow did {deal} confirm-decision-maker" not in why
    assert f"log it with: salesflow touch {deal} --kind quote" in why
    data = json.loads(team.ok("show", str(deal), "-f", "json").out)
    assert [(c["action"], c["done"], c["done_by"]) for c in data["checklist"]] == [
        ("confirm-decision-maker", True, "wang"), ("send-quote", False, None),
        ("fix-review-date", False, None), ("collect-feedback", False, None)]
    team.ok("did", str(deal), "fix-review-date", "--note", "评审会定在周五")
    assert "评审会定在周五" in team.ok("show", str(deal)).out
    zh = team.ok("--lang", "zh", "show", str(deal)).out
    assert "确认决策人" in zh and "已完成" in zh and "待办" in zh


# ---------------------------------------------------------------------------------------------
# touch templates


def test_template_steps_are_stored_and_shown(team):
    deal = add_lead(team)
    run = team.ok("touch", str(deal), "--template", "five-step", "--step", "needs=50 台",
                  "--step", "方案推荐=标准版", "--step", "next-visit=周五拜访", "--next", "fri")
    touch_id = int(run.out.split()[1])
    assert run.out.startswith(f"touch {touch_id} on #{deal}: call")  # the template's kind
    assert "3 of 5 steps recorded" in run.err
    assert team.query("SELECT kind, template, steps FROM touch WHERE id = ?", touch_id) == [
        ("call", "five-step", '{"needs": "50 台", "recommend": "标准版", "next-visit": "周五拜访"}')]
    show = team.ok("show", str(deal)).out
    assert "Needs confirmed: 50 台 · Recommendation: 标准版 · Next visit booked: 周五拜访" in show
    assert "需求确认: 50 台 · 方案推荐: 标准版 · 预约复访: 周五拜访" in team.ok("--lang", "zh", "show", str(deal)).out
    timeline = json.loads(team.ok("show", str(deal), "-f", "json").out)["timeline"]
    assert timeline[-1]["steps"] == {"needs": "50 台", "recommend": "标准版", "next-visit": "周五拜访"}


def test_template_refuses_missing_required_steps_and_unknown_ones(team):
    deal = add_lead(team)
    before = team.dump()
    missing = team.fails(1, "touch", str(deal), "--template", "five-step", "--step", "needs=x")
    assert "no result for the required steps recommend (Recommendation), next-visit (Next visit booked)" in missing.err
    assert "--step recommend=" in missing.err
    assert "'bogus' is not a step" in team.fails(1, "touch", str(deal), "-t", "five-step", "--step", "bogus=1").err
    assert "--step needs --template" in team.fails(1, "touch", str(deal), "--kind", "call", "--step", "needs=x").err
    assert "not KEY=TEXT" in team.fails(1, "touch", str(deal), "-t", "five-step", "--step", "needs").err
    assert "is not a touch template" in team.fails(1, "touch", str(deal), "-t", "six-step").err
    assert "--kind is needed" in team.fails(1, "touch", str(deal)).err
    assert team.dump() == before


# ---------------------------------------------------------------------------------------------
# spot checks


@pytest.fixture
def week(team):
    """wang logs 6 touches over a week; a manager (li) checks them."""
    deal = add_lead(team)
    for day in range(3, 9):
        at(team, f"2026-11-{day:02d}T10:00").ok("--as", "wang", "touch", str(deal), "--kind", "call", "--note", f"day {day}")
    return at(team, "2026-11-09T09:00")


def test_sample_is_reproducible_and_skips_checked_touches(week):
    first = week.ok("review", "sample", "--rep", "wang", "--n", "3", "-f", "csv").out
    assert first == week.ok("review", "sample", "--rep", "王伟", "--n", "3", "-f", "csv").out  # same day, same sample
    seeded = week.ok("review", "sample", "--rep", "wang", "--seed", "42", "-f", "csv").out
    assert seeded == week.ok("review", "sample", "--rep", "wang", "--seed", "42", "-f", "csv").out
    ids = {int(line.split(",")[0]) for line in first.splitlines()[1:]}
    assert len(ids) == 3 and ids <= set(range(1, 7))
    assert first.splitlines()[0] == "touch_id,deal_id,customer,at,kind,notes,steps,score"
    others = {int(line.split(",")[0]) for seed in range(20)
              for line in week.ok("review", "sample", "--rep", "wang", "--seed", str(seed), "-f", "csv").out.splitlines()[1:]}
    assert others == set(range(1, 7))  # every touch can be picked
    for touch in ids:
        week.ok("--as", "li", "review", "score", str(touch), "4")
    rest = {int(line.split(",")[0]) for line in week.ok("review", "sample", "--rep", "wang", "--n", "5", "-f", "csv").out.splitlines()[1:]}
    assert rest == set(range(1, 7)) - ids
    assert "--days 0 must be" in week.fails(1, "review", "sample", "--rep", "wang", "--days", "0").err
    assert "no rep" in week.fails(1, "review", "sample", "--rep", "nobody").err.lower()


def test_score_is_checked_replaced_and_undoable(week):
    before = data(week)
    assert week.ok("--as", "li", "review", "score", "2", "3", "--note", "too short").out.strip() == "touch 2 (wang, #1): score 3"
    again = week.ok("--as", "li", "review", "score", "2", "5")
    assert "replaces the score 3 li gave" in again.err
    assert week.query("SELECT touch_id, score, by FROM touch_score") == [(2, 5, "li")]
    week.ok("--as", "li", "undo")
    week.ok("--as", "li", "undo")
    assert data(week) == before
    before = week.dump()
    week.ok("rep", "set", "wang", "--role", "manager")  # a manager who logged it still cannot score it
    assert "your own record" in week.fails(1, "--as", "wang", "review", "score", "2", "5").err
    week.ok("rep", "set", "wang", "--role", "rep")
    before = week.dump()
    assert "not a manager or admin" in week.fails(1, "--as", "zhao", "review", "score", "2", "5").err
    assert "not a manager or admin" in week.fails(1, "--as", "wnag", "review", "score", "2", "5").err
    for bad in ("0", "6", "4.5", "x"):
        assert "from 1 to 5" in week.fails(1, "--as", "li", "review", "score", "2", bad).err
    assert "no touch 99" in week.fails(1, "--as", "li", "review", "score", "99", "3").err
    assert week.dump() == before


# ---------------------------------------------------------------------------------------------
# the activity numbers, by hand


@pytest.fixture
def december(team):
    """December 2026 to Tuesday 8th 18:00 (working days: 1, 2, 3, 4, 7, 8 — six).
    wang: D1 created 1st 09:00, touched 11:00 (2 h), qualified on the 4th; D2 created 2nd 09:00, touched
    3rd 09:00 (24 h); D3 created 3rd 09:00, never touched. zhao: D4 created unassigned 1st 10:00, given to
    zhao 2nd 10:00, touched 16:00 (6 h); D5 created 20 November, touched 4th 10:00 and Saturday 5th.
    li (manager) scores two of wang's touches: 4 and 3. sun has nothing."""
    team.ok("rep", "add", "sun", "--name", "孙丽", "--manager", "li", "--team", "east")
    at(team, "2026-11-20T09:00").ok("lead", "add", "D5", "--contact", "c", "--phone", "13800000005", "--source", "web", "--owner", "zhao")
    at(team, "2026-12-01T09:00").ok("lead", "add", "D1", "--contact", "c", "--phone", "13800000001", "--source", "web", "--owner", "wang")
    at(team, "2026-12-01T10:00").ok("lead", "add", "D4", "--contact", "c", "--phone", "13800000004", "--source", "web")
    at(team, "2026-12-01T11:00").ok("--as", "wang", "touch", "2", "--kind", "call")
    at(team, "2026-12-02T09:00").ok("lead", "add", "D2", "--contact", "c", "--phone", "13800000002", "--source", "web", "--owner", "wang")
    at(team, "2026-12-02T10:00").ok("set", "3", "owner=zhao")
    at(team, "2026-12-02T16:00").ok("--as", "zhao", "touch", "3", "--kind", "call")
    at(team, "2026-12-03T09:00").ok("--as", "wang", "touch", "4", "--kind", "call")
    at(team, "2026-12-03T09:00").ok("lead", "add", "D3", "--contact", "c", "--phone", "13800000003", "--source", "web", "--owner", "wang")
    # a touch back-dated to before D3 existed counts nowhere (not as a touch on an open deal, not as its answer)
    at(team, "2026-12-03T10:00").ok("--as", "wang", "touch", "5", "--kind", "note", "--at", "2026-12-03T08:00")
    at(team, "2026-12-04T09:00").ok("set", "2", "need=x", "budget=y", "decision_maker=z")
    at(team, "2026-12-04T09:00").ok("advance", "2", "qualified")
    at(team, "2026-12-04T10:00").ok("--as", "zhao", "touch", "1", "--kind", "call")
    at(team, "2026-12-05T10:00").ok("--as", "zhao", "touch", "1", "--kind", "wechat")
    at(team, "2026-12-08T10:00").ok("--as", "li", "review", "score", "1", "4")
    at(team, "2026-12-08T10:00").ok("--as", "li", "review", "score", "3", "3")
    return at(team, "2026-12-08T18:00")


def test_activity_numbers_by_hand(december):
    rows = december.ok("review", "--period", "this-month", "--section", "activity", "-f", "csv").out.splitlines()
    assert rows == [
        "rep,new_deals,first_response_hours,first_response_p90_hours,answered,unanswered,touches_per_deal_week,"
        "conversion_30d,recording_rate,checked,avg_score",
        # nothing to divide by: left empty, never 0 — but sun had six working days and recorded on none
        "sun,0,,,0,0,,,0.0,0,",
        # open days in the window: D1 7.375 + D2 6.375 + D3 5.375 = 19.125 → 2 touches ÷ (19.125 ÷ 7) = 0.73;
        # response hours [2, 24]: median 13, p90 (nearest rank) 24; 1 of 3 reached qualified in 30 days;
        # touched on 2 of 6 working days; scores 4 and 3
        "wang,3,13.0,24.0,2,1,0.73,0.3333,0.3333,2,3.50",
        # D4 7.333 + D5 7.75 = 15.083 open days → 3 touches (Saturday's too) ÷ 2.155 = 1.39; the Saturday is not
        # a working day: 2 of 6
        "zhao,1,6.0,6.0,1,0,1.39,0.0,0.3333,0,",
    ]
    team_rows = december.ok("review", "--period", "this-month", "--section", "activity", "--by", "team", "-f", "csv").out.splitlines()
    # east: hours [2, 24, 6] → median 6, p90 24; 5 touches ÷ (34.208 ÷ 7) = 1.02; 1 of 4; 4 of 18 rep-days
    assert team_rows[1] == "east,4,6.0,24.0,3,1,1.02,0.25,0.2222,2,3.50"


def test_activity_in_the_weekly_report(december):
    page = december.ok("report", "weekly").out
    assert "## Activity: is the process worked?" in page
    assert "First response (h, median)" in page


def test_a_database_from_before_playbooks_gets_the_shipped_one_by_loading_the_template(cli, tmp_path):
    import shutil
    from pathlib import Path

    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "first-release.db", old)
    cli.db = old
    assert "salesflow pipeline load --template standard" in cli.ok("playbook").out  # migrated, still the old definition
    assert "replaced pipeline standard" in cli.ok("pipeline", "load", "--template", "standard").err
    assert "confirm-decision-maker" in cli.ok("playbook", "proposal", "-f", "csv").out
    assert "FILE.toml or --template" in cli.fails(2, "pipeline", "load").err
    assert "no template 'nope'" in cli.fails(1, "pipeline", "load", "--template", "nope").err
