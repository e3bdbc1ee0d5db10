"""`undo`: reverts the last data-changing command as a whole, from the change log."""

from __future__ import annotations

import json

import pytest

from conftest import add_lead, at, connect

DATA = ("deal", "customer", "contact", "touch", "stage_event", "rep", "escalation", "target", "meta", "action_done",
        "touch_score")


def data(cli) -> list:
    """The data tables only: `command` and `change_log` grow with every undo, by design."""
    conn = connect(cli.db)
    try:
        return [(t, [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1")]) for t in DATA]
    finally:
        conn.close()


@pytest.mark.parametrize("step", [
    ["set", "1", "amount=12万", "budget=50万", "owner=zhao", "grade=A"],
    ["touch", "1", "--kind", "call", "--note", "hi", "--next", "fri", "--contact", "新联系人"],
    ["advance", "1", "proposal", "--force", "--reason", "x"],
    ["lose", "1", "--reason", "price"],
    ["followup", "1", "fri"],
    ["lead", "add", "Other Co", "--contact", "x", "--email", "x@y.cn", "--source", "web"],
    ["target", "set", "2026-12", "50万"],
    ["config", "set", "urgency.due", "20"],
    ["rep", "set", "wang", "--capacity", "10"],
])
def test_each_command_is_undone_as_a_whole(team, step):
    add_lead(team, "华为技术有限公司", "--next", "2026-11-02T08:00")
    before = data(team)
    team.ok(*step)
    assert data(team) != before
    run = team.ok("undo")
    assert run.out.startswith(f"undid {step[0] if step[0] not in ('lead', 'rep', 'target', 'config') else step[0] + ' ' + step[1]}")
    assert data(team) == before


def test_undo_twice_reverts_two_commands_then_refuses(team):
    empty = data(team)
    add_lead(team)
    team.ok("touch", "1", "--kind", "call")
    team.ok("undo")
    team.ok("undo")
    assert data(team) == empty
    # the team's set-up (rep add) was done by the same OS user: undo would go on to those;
    # as another user there is nothing of theirs to undo
    assert "nothing to undo for li" in team.fails(1, "undo", "--as", "li").err


def test_undo_refuses_to_clobber_a_later_change_by_someone_else(team):
    add_lead(team)
    team.ok("set", "1", "amount=10万", "--as", "wang")
    team.ok("set", "1", "budget=待定", "--as", "li")  # li changed the same deal later
    before = team.dump()
    run = team.fails(1, "undo", "--as", "wang")
    assert "li changed the same records later (set, command" in run.err
    assert team.dump() == before
    team.ok("undo", "--as", "li")  # li's own is fine, and then wang's is no longer blocked
    team.ok("undo", "--as", "wang")
    assert team.query("SELECT amount, fields FROM deal") == [(0, "{}")]


def test_undo_is_recorded_and_listed(team):
    add_lead(team)
    at(team, "2026-11-02T10:00").ok("touch", "1", "--kind", "call")
    team.ok("undo")
    rows = json.loads(team.ok("undo", "--list", "-f", "json").out)
    assert [(r["name"], r["undone_by"]) for r in rows[:3]] == [("undo", None), ("touch", rows[0]["id"]), ("lead add", None)]
    assert team.query("SELECT op, entity FROM change_log WHERE command_id = ?", rows[0]["id"]) == [("delete", "touch")]


def test_undo_refuses_when_others_now_depend_on_what_it_created(team):
    team.ok("rep", "add", "sun", "--name", "孙丽", "--as", "li")
    team.ok("lead", "add", "ACME", "--contact", "x", "--email", "x@y.cn", "--source", "w", "--owner", "sun", "--as", "wang")
    before = team.dump()
    run = team.fails(1, "undo", "--as", "li")
    assert "other records now depend on what it created" in run.err and "Traceback" not in run.err
    assert team.dump() == before
