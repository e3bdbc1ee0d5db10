"""Reps: handles, display names, roles, managers, capacity."""

from __future__ import annotations

import json


def test_add_list_and_set(team):
    rows = json.loads(team.ok("rep", "list", "-f", "json").out)
    assert [(r["handle"], r["name"], r["role"], r["manager"], r["capacity"], r["active"]) for r in rows] == [
        ("li", "李娜", "manager", None, 50, True), ("wang", "王伟", "rep", "li", 50, True),
        ("zhao", "赵磊", "rep", "li", 50, True)]
    assert team.ok("rep", "set", "wang", "--capacity", "30", "--inactive").err == "rep wang: capacity 50 → 30, active 1 → 0\n"
    assert "inactive" in team.fails(1, "lead", "add", "X", "--contact", "a", "--email", "a@b.co", "--source", "w",
                                    "--owner", "wang").err


def test_bad_rep_input(team):
    before = team.dump()
    assert "already exists" in team.fails(1, "rep", "add", "wang").err
    assert "not a handle" in team.fails(1, "rep", "add", "Wang Wei").err
    assert "not a role" in team.fails(1, "rep", "add", "sun", "--role", "boss").err
    assert "no rep 'nobody' to be the manager" in team.fails(1, "rep", "add", "sun", "--manager", "nobody").err
    assert "negative" in team.fails(1, "rep", "add", "sun", "--capacity", "-1").err
    assert "their own manager" in team.fails(1, "rep", "set", "li", "--manager", "li").err
    assert "nothing to change" in team.fails(1, "rep", "set", "li").err
    assert team.dump() == before
    team.ok("rep", "add", "sun", "--manager", "wang")
    before = team.dump()
    loop = team.fails(1, "rep", "set", "li", "--manager", "sun")  # sun → wang → li → sun
    assert "sun already reports to li: that would make a loop of managers" in loop.err and "hint:" in loop.err
    assert team.dump() == before


def test_chinese_rep_table_aligns(team):
    out = team.ok("rep", "list", "--lang", "zh").out.splitlines()
    assert out[0].split() == ["账号", "姓名", "角色", "主管", "团队", "容量", "在职", "进行中商机"]
    assert len({line.index("east") for line in out[2:] if "east" in line}) == 1  # columns line up
