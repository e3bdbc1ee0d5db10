"""Hostile and bad input (§12): each case gets one `error:` line (plus at most one hint), the right exit
code, no traceback, and leaves the database dump exactly as it was."""

from __future__ import annotations


import pytest

from conftest import add_lead

MB_NOTE = "很" * (1024 * 1024)

FILES = {
    "not-utf8.csv": b"\xff\xfe\xfa\xfb,\x81\x30\n\xff\xff,\xfe\n",       # neither UTF-8 nor GB18030 (nor a BOM)
    "empty.csv": b"",
    "bom-only.csv": b"\xef\xbb\xbf",
    "header-only.csv": "客户名称,阶段,金额\n".encode(),
    "dup-ids.csv": "编号,客户名称\nA1,甲\nA1,乙\n".encode(),
    "bad-stage.csv": "客户名称,阶段\n甲,签约中\n".encode(),
    "nul.csv": "客户名称,阶段\n甲\x00,线索\n".encode(),
    "future.csv": "客户名称,创建日期\n甲,2030-01-01\n".encode(),
    "dates.csv": "客户名称,创建日期\n甲,03/04/2026\n".encode(),
}

CASES = [
    # (case id, args, exit code)
    ("ambiguous date", ["touch", "1", "--kind", "call", "--at", "03/04/2025"], 1),
    ("not a date", ["followup", "1", "someday"], 1),
    ("impossible date", ["followup", "1", "2026-02-30"], 1),
    ("unknown stage", ["advance", "1", "signed"], 1),
    ("unknown rep", ["lead", "add", "甲公司", "--contact", "李", "--source", "web", "--phone", "13900000001",
                     "--owner", "ghost"], 1),
    ("stage skipping", ["advance", "1", "negotiation"], 1),
    ("negative amount", ["set", "1", "amount=-5"], 1),
    ("NaN amount", ["set", "1", "amount=NaN"], 1),
    ("infinite amount", ["set", "1", "amount=inf"], 1),
    ("overflowing amount", ["set", "1", "amount=99999999999999999999999"], 1),
    ("sub-cent amount", ["set", "1", "amount=0.001"], 1),
    ("1 MB note", ["touch", "1", "--kind", "call", "--note", MB_NOTE], 1),
    ("NUL in a note", ["touch", "1", "--kind", "call", "--note", "a\x00b"], 1),
    ("NUL in a name", ["lead", "add", "甲\x00公司", "--contact", "李", "--source", "web", "--phone", "13900000002"], 1),
    ("control characters", ["touch", "1", "--kind", "call", "--note", "bell\x07"], 1),
    ("unknown touch kind", ["touch", "1", "--kind", "telepathy"], 1),
    ("touch in the future", ["touch", "1", "--kind", "call", "--at", "2027-01-01"], 1),
    ("duplicate lead", ["lead", "add", "别的公司", "--contact", "王", "--source", "web", "--phone", "13800138000"], 1),
    ("bad email", ["lead", "add", "乙公司", "--contact", "王", "--source", "web", "--email", "not-an-email"], 1),
    ("bad grade", ["set", "1", "grade=Z"], 1),
    ("win from the first stage", ["win", "1"], 1),
    ("reopen an open deal", ["reopen", "1", "--reason", "x"], 1),
    ("deal id zero", ["show", "0"], 1),
    ("deal id words", ["show", "abc"], 1),
    ("missing deal", ["show", "999"], 1),
    ("bad handle", ["rep", "add", "Bad Handle!"], 1),
    ("bad month", ["target", "set", "2026-13", "100"], 1),
    ("bad status filter", ["deals", "--status", "weird"], 1),
    ("bad --now", ["--now", "tomorrow-ish", "due"], 2),
    ("bad --lang", ["--lang", "fr", "due"], 2),
    ("unknown option", ["due", "--colour", "red"], 2),
    ("unknown command", ["dew"], 2),
    ("database is a directory", ["--db", "{tmp}", "due"], 1),
    ("not-UTF-8 file", ["import", "deals", "{tmp}/not-utf8.csv"], 1),
    ("empty file", ["import", "deals", "{tmp}/empty.csv"], 1),
    ("BOM-only file", ["import", "deals", "{tmp}/bom-only.csv"], 1),
    ("header-only file", ["import", "deals", "{tmp}/header-only.csv"], 1),
    ("duplicate ids in a file", ["import", "deals", "{tmp}/dup-ids.csv", "--on-duplicate", "fail"], 1),
    ("unknown stage in a file", ["import", "deals", "{tmp}/bad-stage.csv"], 1),
    ("NUL in a file", ["import", "deals", "{tmp}/nul.csv"], 1),
    ("future date in a file", ["import", "deals", "{tmp}/future.csv"], 1),
    ("ambiguous date in a file", ["import", "deals", "{tmp}/dates.csv"], 1),
    ("bad --date-format", ["import", "deals", "{tmp}/dates.csv", "--date-format", "daymonth"], 1),
]


@pytest.fixture
def book(team, tmp_path):
    add_lead(team, "华为技术有限公司")
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    return team


@pytest.mark.parametrize("args, code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(book, tmp_path, args, code):
    before = book.dump()
    run = book.fails(code, *[a.replace("{tmp}", str(tmp_path)) for a in args])
    lines = run.err.strip().splitlines()
    assert lines[0].startswith("error: "), run.err
    assert sum(line.startswith("error:") for line in lines) == 1
    assert sum(line.startswith("hint:") for line in lines) <= 1
    assert all(line.startswith(("error:", "hint:", "  ")) for line in lines), run.err  # details are indented
    assert "Traceback" not in run.err
    assert len(lines[0]) < 400  # one line a person can read, not a dump of the input
    assert book.dump() == before


def test_the_matrix_is_wide():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", ["Robert'); DROP TABLE deal;--", "[bold red]ACME[/bold red]", "=cmd|' /C calc'!A0"])
def test_sql_and_markup_in_names_are_just_text(team, name):
    team.ok("lead", "add", name, "--contact", "张三", "--source", "web", "--phone", "13900000009")
    assert team.query("SELECT name FROM customer") == [(name,)]
    table = team.ok("deals").out
    assert name in table  # shown literally, not interpreted as markup
    assert team.query("SELECT COUNT(*) FROM deal") == [(1,)]
