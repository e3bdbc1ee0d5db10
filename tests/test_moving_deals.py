"""Moving deals through the standard pipeline from the command line."""

from __future__ import annotations

import pytest

from conftest import add_lead, to_negotiation


def test_each_entry_and_exit_criterion_refuses_then_passes(team):
    deal = add_lead(team)
    d = str(deal)
    # qualified: need, budget, decision maker
    for field, value in (("need", "CRM系统"), ("budget", "待定"), ("decision_maker", "张总")):
        run = team.fails(1, "advance", d, "qualified")
        assert f"set it with: salesflow set {deal} {field}=…" in run.err
        team.ok("set", d, f"{field}={value}")
    team.ok("advance", d, "qualified")
    # proposal: amount > 0, expected close date
    run = team.fails(1, "advance", d, "proposal")
    assert run.err.splitlines() == [
        f"error: #{deal} cannot move from qualified to proposal: 2 criteria unmet",
        f"  amount is 0 — set it with: salesflow set {deal} amount=…",
        f"  expected close date is empty — set it with: salesflow set {deal} close=…",
    ]
    team.ok("set", d, "amount=12万")
    assert "close" in team.fails(1, "advance", d, "proposal").err
    team.ok("set", d, "close=eom")
    team.ok("advance", d, "proposal")
    # leaving proposal: its required actions — the decision maker confirmed (`did`) and the quote sent
    # (a quote touch does it) — every one listed with the command that completes it
    run = team.fails(1, "advance", d, "negotiation")
    assert run.err.splitlines() == [
        f"error: #{deal} cannot move from proposal to negotiation: 2 criteria unmet",
        f"  action not done in proposal: Confirm the decision maker — when done, record it: salesflow did {deal} confirm-decision-maker",
        f"  action not done in proposal: Send the formal quote — log it with: salesflow touch {deal} --kind quote",
    ]
    team.ok("touch", d, "--kind", "quote")
    assert team.fails(1, "advance", d, "negotiation").err.count("action not done") == 1
    team.ok("did", d, "confirm-decision-maker")
    team.ok("advance", d, "negotiation")
    # leaving negotiation (to won): a meeting touch *with notes*
    team.ok("touch", d, "--kind", "meeting")
    assert "no meeting touch with notes" in team.fails(1, "win", d).err
    touch_id = team.ok("touch", d, "--kind", "meeting").out.split()[1]
    team.ok("note", touch_id, "价格谈妥，下周签约")
    assert team.ok("win", d).out.strip() == f"#{deal}: negotiation → won"
    assert team.query("SELECT status, stage, closed_at FROM deal WHERE id = ?", deal) == [
        ("won", "won", "2026-11-02T09:00:00")]


def test_lead_add_lists_every_unmet_lead_criterion_as_exit_1(team):
    before = team.dump()
    run = team.fails(1, "lead", "add", "ACME")
    assert run.err.splitlines() == [
        "error: the lead cannot be added: 3 criteria of stage lead unmet",
        "  contact is empty — add --contact NAME",
        "  phone or email is empty — add --phone P or --email E",
        "  source is empty — add --source S (e.g. referral, website, expo)",
    ]
    assert team.dump() == before


def test_lead_add_prints_the_id_first_and_echoes_dates_on_stderr(team):
    run = team.ok("lead", "add", "ACME Robotics", "--contact", "Ann", "--email", "Ann@Example.com",
                  "--source", "web", "--next", "fri", "--close", "eom")
    assert run.out == "#1 ACME Robotics — lead, unassigned\n"
    assert "next follow-up: 2026-11-06 (Fri)" in run.err
    assert "expected close: 2026-11-30 (Mon)" in run.err
    assert team.query("SELECT email FROM contact") == [("ann@example.com",)]
    assert team.query("SELECT owner, next_followup, close_date FROM deal") == [(None, "2026-11-06T00:00:00", "2026-11-30")]


def test_phones_typed_without_a_country_code_are_read_in_the_teams_region(team):
    """Default CN (a Chinese team's 010 landline); a US team sets SALESFLOW_PHONE_REGION=US once."""
    team.ok("lead", "add", "Beijing Co", "--contact", "王", "--phone", "010 8888 6666", "--source", "web")
    team.ok("lead", "add", "Contoso", "--contact", "Brian", "--phone", "(425) 555-0100", "--source", "web",
            env={"SALESFLOW_PHONE_REGION": "US"})
    team.ok("set", "1", "phone=+44 20 7946 0958", env={"SALESFLOW_PHONE_REGION": "us"})
    assert team.query("SELECT phone FROM contact ORDER BY id") == [("+442079460958",), ("+14255550100",)]
    before = team.dump()
    run = team.fails(1, "lead", "add", "X", "--contact", "a", "--phone", "555 0100", "--source", "w",
                     env={"SALESFLOW_PHONE_REGION": "Mars"})
    assert run.err.splitlines()[0] == "error: phone region 'Mars' is not a country code"
    assert team.dump() == before
    # in a Chinese team an American number stays as written (not +864255550100); what is no phone is refused
    team.ok("lead", "add", "Fabrikam", "--contact", "Kim", "--phone", "(425) 555-0199", "--source", "web")
    assert team.query("SELECT phone FROM contact WHERE name = 'Kim'") == [("(425) 555-0199",)]
    assert "does not look like a phone number" in team.fails(1, "set", "1", "phone=12345").err


def test_a_past_close_date_is_accepted_with_a_warning(team):
    run = team.ok("lead", "add", "ACME", "--contact", "Ann", "--email", "a@b.co", "--source", "web",
                  "--close", "2026-10-01")
    assert "warning: the expected close date is in the past" in run.err


@pytest.mark.parametrize("second, matched", [
    (["华为技术有限公司", "--contact", "李四", "--email", "x@y.cn"], "customer"),
    (["Other Co", "--contact", "李四", "--phone", "+86 138-0013-8000"], "phone"),
    (["  华为技术有限公司  ", "--contact", "李四", "--email", "x@y.cn"], "customer"),  # normalised name
])
def test_duplicate_leads_are_refused_naming_the_deal_and_owner(team, second, matched):
    add_lead(team)
    before = team.dump()
    run = team.fails(1, "lead", "add", *second, "--source", "web")
    assert run.err.splitlines()[0] == f"error: duplicate: #1 (华为技术有限公司, lead, owner wang) has the same {matched}"
    assert "--allow-duplicate" in run.err
    assert team.dump() == before
    team.ok("lead", "add", *second, "--source", "web", "--allow-duplicate")


def test_a_duplicate_check_ignores_closed_deals_and_other_pipelines(team):
    deal = add_lead(team)
    team.ok("lose", str(deal), "--reason", "timing")
    add_lead(team)  # the first one is lost: no longer a duplicate
    team.ok("init", "--template", "saas")
    add_lead(team, "华为技术有限公司", "--pipeline", "saas")
    assert team.query("SELECT id, pipeline, status FROM deal ORDER BY id") == [
        (1, "standard", "lost"), (2, "standard", "open"), (3, "saas", "open")]


def test_skipping_needs_force_and_reason_and_is_recorded(team):
    d = str(add_lead(team))
    run = team.fails(1, "advance", d, "proposal")
    assert run.err == "error: moving #1 from lead to proposal skips qualified; add --force --reason TEXT to skip stages\n"
    assert team.fails(2, "advance", d, "proposal", "--force").err.startswith("error: --force needs --reason TEXT")
    run = team.ok("advance", d, "proposal", "--force", "--reason", "大客户直接报价")
    assert run.out == "#1: lead → proposal (forced)\n"
    assert "forced past: need is empty" in run.err
    assert team.query("SELECT from_stage, to_stage, forced, reason FROM stage_event WHERE deal_id = 1 ORDER BY id") == [
        (None, "lead", 0, None), ("lead", "proposal", 1, "大客户直接报价")]


def test_backward_needs_a_reason(team):
    d = str(add_lead(team))
    to_negotiation(team, int(d))
    assert "needs --reason" in team.fails(1, "advance", d, "qualified").err
    team.ok("advance", d, "qualified", "--reason", "budget cut, requalify")
    assert team.query("SELECT stage FROM deal") == [("qualified",)]


def test_dry_run_lists_without_moving(team):
    d = str(add_lead(team))
    before = team.dump()
    assert "need is empty" in team.fails(1, "advance", d, "qualified", "--dry-run").err
    team.ok("set", d, "need=x", "budget=y", "decision_maker=z")
    before = team.dump()
    assert team.ok("advance", d, "qualified", "--dry-run").out == "dry run: #1: lead → qualified is allowed\n"
    assert team.dump() == before


def test_lose_and_reopen_return_to_the_stage_lost_from(team):
    d = str(add_lead(team))
    to_negotiation(team, int(d))
    team.ok("followup", d, "fri")
    assert "not a lost reason" in team.fails(1, "lose", d, "--reason", "cheaper").err
    team.ok("lose", d, "--reason", "price", "--note", "竞品便宜20%")
    assert team.query("SELECT status, stage, lost_reason, lost_from_stage, next_followup FROM deal") == [
        ("lost", "lost", "price", "negotiation", None)]
    assert "reopen it" in team.fails(1, "advance", d, "negotiation").err
    assert team.fails(2, "reopen", d).code == 2
    assert team.ok("reopen", d, "--reason", "they came back").out == "#1: lost → negotiation\n"
    assert team.query("SELECT status, stage, lost_reason, closed_at FROM deal") == [("open", "negotiation", None, None)]


def test_won_deals_are_final(team):
    d = str(add_lead(team))
    team.ok("win", d, "--force", "--reason", "signed on the spot")
    before = team.dump()
    run = team.fails(1, "lose", d, "--reason", "price")
    assert "won deals are final" in run.err
    assert team.dump() == before


def test_set_logs_every_change_with_old_and_new(team):
    d = str(add_lead(team))
    run = team.ok("set", d, "amount=1.5m", "budget=50万", "owner=zhao", "grade=a")
    assert run.out == "#1: amount 0 → 1,500,000; budget — → 50万; owner wang → zhao; grade B → A\n"
    rows = team.query("SELECT entity, field, old, new FROM change_log WHERE op = 'update' ORDER BY id")
    assert ("deal", "amount", "0", "150000000") in rows
    assert ("deal", "fields.budget", None, "50万") in rows
    assert ("deal", "owner", "wang", "zhao") in rows
    assert ("customer", "grade", "B", "A") in rows
    assert team.query("SELECT name FROM command ORDER BY id DESC LIMIT 1") == [("set",)]


@pytest.mark.parametrize("args, message", [
    (["set", "1", "stage=won"], "stage is changed by moving the deal"),
    (["set", "1", "colour=red"], "'colour' is not a field"),
    (["set", "1", "amount=-5"], "negative"),
    (["set", "1", "close=03/04/2026"], "ambiguous"),
    (["set", "1", "owner=nobody"], "no rep 'nobody'"),
    (["set", "1", "budget"], "is not field=value"),
    (["set", "99", "amount=1"], "no deal #99"),
    (["set", "x1", "amount=1"], "not a deal id"),
    (["touch", "1", "--kind", "fax"], "not a kind"),
    (["touch", "1", "--kind", "call", "--at", "tomorrow"], "in the future"),
    (["touch", "1", "--kind", "call", "--note", "a\x00b"], "NUL"),
    (["note", "99", "text"], "no touch 99"),
    (["advance", "1", "signed"], "stage 'signed' is not a stage of pipeline standard"),
    (["advance", "1", "negotation"], "stage 'negotation' is not a stage of pipeline standard — did you mean negotiation?"),
    (["set", "1", "owner=wnag"], "no rep 'wnag' — did you mean wang?"),
    (["set", "1", "amout=1"], "'amout' is not a field of deals in pipeline standard — did you mean amount?"),
    (["deals", "--stage", "signed"], "'signed' is not a stage"),
    (["lead", "add", "X", "--contact", "a", "--phone", "12", "--source", "w"], "does not look like a phone"),
    (["lead", "add", "X", "--contact", "a", "--email", "nope", "--source", "w"], "not an email"),
    (["lead", "add", "X", "--contact", "a", "--email", "a@b.co", "--source", "w", "--grade", "D"], "not a grade"),
    (["lead", "add", "X", "--contact", "a", "--email", "a@b.co", "--source", "w", "--pipeline", "nope"], "no pipeline"),
])
def test_bad_input_is_one_error_line_and_changes_nothing(team, args, message):
    add_lead(team)
    before = team.dump()
    run = team.fails(1, *args)
    lines = run.err.splitlines()
    assert lines[0].startswith("error: ") and message in lines[0]
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:])
    assert team.dump() == before


def test_touch_fulfils_a_due_follow_up_and_schedules_the_next(team):
    d = str(add_lead(team, "华为技术有限公司", "--next", "2026-11-02T08:00"))
    run = team.ok("touch", d, "--kind", "call", "--note", "约了下周拜访", "--next", "下周五")
    assert run.out == "touch 1 on #1: call\n"
    assert "follow-up due 2026-11-02 08:00 is done" in run.err
    assert "next follow-up: 2026-11-13 (Fri)" in run.err
    assert team.query("SELECT next_followup FROM deal") == [("2026-11-13T00:00:00",)]
    # a touch before the follow-up is due leaves it in place
    team.ok("touch", d, "--kind", "wechat")
    assert team.query("SELECT next_followup FROM deal") == [("2026-11-13T00:00:00",)]


def test_touch_at_a_past_time_and_with_a_new_contact(team):
    d = str(add_lead(team))
    run = team.ok("touch", d, "--kind", "拜访", "--at", "昨天 15:00", "--contact", "王经理", "--outcome", "interested")
    assert run.out == "touch 1 on #1: visit at 2026-11-01 15:00\n"
    assert team.query("SELECT t.kind, t.at, c.name, t.outcome FROM touch t JOIN contact c ON c.id = t.contact_id") == [
        ("visit", "2026-11-01T15:00:00", "王经理", "interested")]


def test_followup_on_a_closed_deal_is_refused(team):
    d = str(add_lead(team))
    team.ok("lose", d, "--reason", "bad-fit")
    assert "follow-ups are for open deals" in team.fails(1, "followup", d, "fri").err


def test_writes_record_the_acting_rep_or_the_os_user(team):
    d = str(add_lead(team))
    team.ok("touch", d, "--kind", "call", "--as", "zhao")
    team.ok("--as", "li", "touch", d, "--kind", "email")
    team.ok("touch", d, "--kind", "email", env={"SALESFLOW_REP": "wang"})
    assert [r[0] for r in team.query("SELECT by FROM touch ORDER BY id")] == ["zhao", "li", "wang"]


def test_a_lost_deal_won_with_force_keeps_no_lost_reason(team):
    deal = add_lead(team)
    team.ok("lose", str(deal), "--reason", "price")
    team.ok("win", str(deal), "--force", "--reason", "they came back")
    assert team.query("SELECT status, lost_reason, lost_from_stage FROM deal WHERE id = ?", deal) == [("won", None, None)]


def test_stages_reasons_and_reps_are_accepted_as_the_screen_shows_them(team):
    d = str(add_lead(team))
    for typed, stage in (("需求确认", "qualified"), ("Proposal", "proposal"), ("NEGO", "negotiation")):
        team.ok("advance", d, typed, "--force", "--reason", "screen words")
        assert team.query("SELECT stage FROM deal") == [(stage,)]
    assert team.ok("deals", "--stage", "商务谈判", "-f", "csv").out.count("\n") == 2  # header + the deal
    assert team.ok("deals", "--stage", "Negotiation", "--pipeline", "Standard", "-f", "csv").out.count("\n") == 2
    # an ambiguous prefix is refused, listing the stages in pipeline order
    run = team.fails(1, "advance", d, "l")
    assert run.err.splitlines()[-1].startswith("hint: stages: lead (线索), qualified (需求确认), proposal (方案报价)")
    team.ok("lose", d, "--reason", "价格")
    assert team.query("SELECT lost_reason FROM deal") == [("price",)]
    team.ok("reopen", d, "--reason", "back")
    team.ok("lose", d, "--reason", "Too expensive")
    assert team.query("SELECT lost_reason FROM deal") == [("price",)]
    assert team.ok("due", "--as", "WANG").code == 0  # a handle in another case
    assert "did you mean wang?" in team.fails(1, "due", "--as", "wangg").err


def test_deals_filters_take_what_the_screen_shows(team):
    d = add_lead(team)
    team.ok("advance", str(d), "proposal", "--force", "--reason", "x")
    team.ok("set", str(d), "amount=1万")
    team.ok("win", str(d), "--force", "--reason", "signed")
    assert team.ok("deals", "--stage", "won", "-f", "csv").out.count("\n") == 2  # the won deal, though --status defaults to open
    assert team.ok("--lang", "zh", "deals", "--status", "赢单", "-f", "csv").out.count("\n") == 2
    assert "'maybe' is not a status" in team.fails(1, "deals", "--status", "maybe").err
