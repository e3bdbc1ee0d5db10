"""Hostile and bad input: each case gets one `error:` line (plus at most one hint), the right exit
code, no traceback, and leaves the database dump exactly as it was."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from conftest import add_lead, connect

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
    "huge-amount.csv": ("客户名称,金额\n甲," + "9" * 5000 + "\n").encode(),
    "far-date.csv": "客户名称,创建日期\n甲,9999-12-31\n".encode(),
    "bom-binary.csv": b"\xef\xbb\xbf\x00\x01\x02\xff\xfe\x80abc\n",
    "stray-quote.csv": '客户名称,阶段,金额\n甲,线索,1万\n"乙,线索,2万\n丙,线索,3万\n丁,线索,4万\n'.encode(),
    "csv-named.xlsx": "客户名称,阶段\n甲,线索\n".encode(),
    "escape-in-cell.csv": "客户名称,阶段\n甲\x1b]0;pwned\x07,线索\n".encode(),
    "deep.toml": ("key = " + "[" * 5000 + "]" * 5000 + "\n").encode(),
}


def pipeline_with(old: str, new: str) -> bytes:
    from salesflow.app.setup import template_source

    source = template_source("standard")
    assert old in source
    return source.replace(old, new, 1).encode()


FILES |= {
    "huge-idle.toml": pipeline_with("idle_days = 3", "idle_days = 999999999"),
    "osc-stage.toml": pipeline_with('name = "Qualified"', 'name = "\\u001b]0;pwned\\u0007Qualified"'),
    "bidi-label.toml": pipeline_with('label_zh = "需求确认"', 'label_zh = "\\u202e认确求需"'),
    "key-newline.toml": pipeline_with('key = "standard"', 'key = "standard\\n"'),
    "long-number.toml": pipeline_with("prior = 0.25", "prior = 1" + "0" * 5000),
    "events.csv": b"deal_id,from_stage,to_stage,at,by,reason,forced\n",
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
    # -o and --rejects never replace the database in use, however it is named, nor the file being read
    ("-o the database", ["deals", "-f", "csv", "-o", "{db}"], 1),
    ("-o the database, relative", ["deals", "-f", "csv", "-o", "sales.db"], 1),
    ("-o the database by a symlink", ["export", "deals", "-o", "{tmp}/link.db"], 1),
    ("-o the database's -wal", ["export", "deals", "-o", "{db}-wal"], 1),
    ("-o a directory", ["deals", "-f", "csv", "-o", "{tmp}"], 1),
    ("-o in a missing directory", ["deals", "-f", "csv", "-o", "{tmp}/nowhere/deals.csv"], 1),
    ("-o an empty path", ["deals", "-f", "csv", "-o", ""], 1),
    ("--rejects the database", ["import", "deals", "{tmp}/bad-stage.csv", "--rejects", "{db}"], 1),
    ("--rejects the file read", ["import", "deals", "{tmp}/bad-stage.csv", "--rejects", "{tmp}/bad-stage.csv"], 1),
    ("--rejects the --events file", ["import", "deals", "{tmp}/bad-stage.csv", "--events", "{tmp}/events.csv",
                                     "--rejects", "{tmp}/events.csv"], 1),
    ("--rejects to a full disk", ["import", "deals", "{tmp}/bad-stage.csv", "--rejects", "/dev/full"], 1),
    ("-o a symlink to the -wal", ["export", "deals", "-o", "{tmp}/wal-link.csv"], 1),
    ("-o a symlink to the -shm", ["export", "deals", "-o", "{tmp}/shm-link.csv"], 1),
    ("-o to a full disk", ["export", "deals", "-o", "/dev/full"], 1),
    # values that would be stored and then break everyone's reports
    ("close date after 2199", ["set", "1", "close=9999-12-31"], 1),
    ("close date before 1900", ["set", "1", "close=1066-10-14"], 1),
    ("--now far away", ["--now", "9999-12-31", "due"], 2),
    ("a date past any calendar", ["followup", "1", "+99999999d"], 1),
    ("--days huge", ["due", "--days", "99999999"], 1),
    ("--lookback huge", ["forecast", "--lookback", "99999999999999d"], 1),
    ("--horizon huge", ["forecast", "backtest", "--as-of", "2026-10-01", "--horizon", "99999999d"], 1),
    ("--prior-weight nan", ["forecast", "--prior-weight", "nan"], 1),
    ("--months huge", ["forecast", "--months", "99999"], 1),
    ("--runs huge", ["forecast", "--range", "--runs", "99999999"], 1),
    ("--prior-weight inf", ["forecast", "--prior-weight", "inf"], 1),
    ("--capacity 1e20", ["rep", "add", "bob", "--capacity", "1e20"], 2),
    ("--capacity huge", ["rep", "add", "bob", "--capacity", "99999999999999999999"], 1),
    ("--as-of year 1", ["forecast", "backtest", "--as-of", "0001-01-01"], 1),
    ("--since 9999Q4", ["funnel", "--since", "9999Q4"], 1),
    ("amount over 10000亿", ["set", "1", "amount=1000000000000.01"], 1),
    ("5,000-digit amount", ["set", "1", "amount=" + "9" * 5000], 1),
    ("5,000-digit amount in a file", ["import", "deals", "{tmp}/huge-amount.csv"], 1),
    ("a date after 2199 in a file", ["import", "deals", "{tmp}/far-date.csv"], 1),
    ("pipeline idle_days 999999999", ["pipeline", "load", "{tmp}/huge-idle.toml"], 1),
    ("TOML nested 5,000 deep", ["pipeline", "load", "{tmp}/deep.toml"], 1),
    ("pipeline key with a line break", ["pipeline", "load", "{tmp}/key-newline.toml"], 1),
    ("a 5,000-digit number in TOML", ["pipeline", "load", "{tmp}/long-number.toml"], 1),
    ("a TOML file that never ends", ["pipeline", "load", "/dev/zero"], 1),
    ("target month 9999-12", ["target", "set", "9999-12", "5"], 1),
    ("--now at the edge of the range", ["--now", "2199-12-31", "report", "weekly"], 2),
    # terminal safety: control characters and bidi overrides are refused wherever text comes in
    ("OSC sequence in a stage name", ["pipeline", "load", "{tmp}/osc-stage.toml"], 1),
    ("bidi override in a stage label", ["pipeline", "load", "{tmp}/bidi-label.toml"], 1),
    ("escape in --as", ["--as", "wang\x1b[2J", "due"], 2),
    ("bidi override in a name", ["lead", "add", "甲\u202e公司", "--contact", "李", "--source", "web", "--phone", "13900000003"], 1),
    ("C1 control in a note", ["touch", "1", "--kind", "call", "--note", "csi\x9b2J"], 1),
    ("escape in an import cell", ["import", "deals", "{tmp}/escape-in-cell.csv"], 1),
    ("argument not UTF-8", ["touch", "1", "--kind", "call", "--note", "\udcff\udcfe"], 2),
    # files that lie about what they are
    ("BOM then binary", ["import", "deals", "{tmp}/bom-binary.csv"], 1),
    ("stray opening quote", ["import", "deals", "{tmp}/stray-quote.csv"], 1),
    ("CSV named .xlsx", ["import", "deals", "{tmp}/csv-named.xlsx"], 1),
    ("a database given as the file to import", ["import", "deals", "{db}"], 1),
    ("a workbook named .csv", ["import", "deals", "{tmp}/workbook.csv"], 1),
    ("damaged sheet XML", ["import", "deals", "{tmp}/damaged.xlsx"], 1),
    ("XLSX inflating past 200 MB", ["import", "deals", "{tmp}/bomb.xlsx"], 1),
    # an error quotes at most ~80 characters of what it was given
    ("20,000-character stage", ["advance", "1", "x" * 20_000], 1),
    ("20,000-character deal id", ["show", "9" * 20_000], 1),
    ("3,000-character owner", ["set", "1", "owner=" + "x" * 3000], 1),
    ("3,000-character option", ["deals", "--" + "x" * 3000], 2),
    ("a database path too long", ["--db", "{tmp}/" + "d" * 300 + ".db", "due"], 1),
    ("a FIFO to import", ["import", "deals", "{tmp}/fifo.csv"], 1),
]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> Path:
    """A damaged sheet (its XML cut mid-row) and a small zip whose sheet inflates to 250 MB (made once)."""
    import zipfile

    import openpyxl

    tmp_path = tmp_path_factory.mktemp("workbooks")
    wb = openpyxl.Workbook()
    wb.active.append(["客户名称", "阶段", "金额"])
    for i in range(200):
        wb.active.append([f"公司{i}", "线索", "1万"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(tmp_path / "damaged.xlsx", "w") as damaged, \
            zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                damaged.writestr(name, data[: len(data) // 2] + b'<row r="x"><c><<<')
                bomb.writestr(name, data.replace(b"</sheetData>", b"</sheetData>" + b" " * (250 * 2**20)))
            else:
                damaged.writestr(name, data)
                bomb.writestr(name, data)
    return tmp_path


@pytest.fixture
def book(team, tmp_path, monkeypatch, workbooks):
    add_lead(team, "华为技术有限公司")
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "link.db").symlink_to(team.db)
    (tmp_path / "wal-link.csv").symlink_to(f"{team.db}-wal")
    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "workbook.csv").write_bytes((workbooks / "damaged.xlsx").read_bytes())
    (tmp_path / "shm-link.csv").symlink_to(f"{team.db}-shm")
    for name in ("damaged.xlsx", "bomb.xlsx"):
        (tmp_path / name).symlink_to(workbooks / name)
    monkeypatch.chdir(tmp_path)  # for the relative paths
    return team


@pytest.mark.parametrize("args, code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(book, tmp_path, args, code):
    if isinstance(book.db, str) and "sales.db" in args:
        pytest.skip("the database is on PostgreSQL here: sales.db is just a file name")
    before = book.dump()
    files = sorted(p.name for p in tmp_path.iterdir())
    run = book.fails(code, *[a.replace("{tmp}", str(tmp_path)).replace("{db}", str(book.db)) for a in args])
    lines = run.err.strip().splitlines()
    assert lines[0].startswith("error: "), run.err
    assert sum(line.startswith("error:") for line in lines) == 1
    assert sum(line.startswith("hint:") for line in lines) <= 1
    assert all(line.startswith(("error:", "hint:", "  ")) for line in lines), run.err  # details are indented
    assert "Traceback" not in run.err
    assert len(lines[0]) < 300  # one line a person can read, not a dump of the input
    assert "\x1b" not in run.err and "\u202e" not in run.err  # what it quotes cannot drive the terminal
    assert "internal error" not in run.err
    assert book.dump() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("sales.db-")) == \
        [f for f in files if not f.startswith("sales.db-")]  # no file left behind (a temp file, a rejects file)


def test_the_matrix_is_wide():
    assert len(CASES) >= 80


@pytest.mark.parametrize("name", ["Robert'); DROP TABLE deal;--", "[bold red]ACME[/bold red]", "=cmd|' /C calc'!A0"])
def test_sql_and_markup_in_names_are_just_text(team, name):
    team.ok("lead", "add", name, "--contact", "张三", "--source", "web", "--phone", "13900000009")
    assert team.query("SELECT name FROM customer") == [(name,)]
    table = team.ok("deals").out
    assert name in table  # shown literally, not interpreted as markup
    assert team.query("SELECT COUNT(*) FROM deal") == [(1,)]


# --- output that cannot be turned against its reader ------------------------------------------------------------

def test_markdown_makes_html_inert(team):
    add_lead(team, "<img src=x onerror=alert(1)>")
    out = team.ok("deals", "-f", "markdown").out
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out


def test_rejects_file_is_formula_neutralised(team, tmp_path):
    bad = tmp_path / "in.csv"
    bad.write_text("客户名称,阶段,金额\n=HYPERLINK(\"http://x\"),签约中,1万\n甲,线索,2万\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    team.ok("import", "deals", str(bad), "--rejects", str(rejects))
    text = rejects.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text


def test_control_characters_already_stored_are_shown_escaped(team):
    add_lead(team, "好公司")
    conn = connect(team.db)
    conn.execute("UPDATE customer SET name = ? WHERE id = 1", ("Evil\x1b]0;pwned\x07Co\u202eXY",))
    conn.commit()
    conn.close()
    for args in (["deals"], ["show", "1"], ["deals", "-f", "markdown"], ["due", "--as", "wang", "--days", "30"]):
        out = team.ok(*args).out
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out, args
        shown = "Evil\\x1b]0;pwned\\x07Co\\u202eXY"
        assert (shown.replace("]", "\\]") if "markdown" in args else shown) in out, args  # (markdown escapes brackets)
    assert "\x1b" in team.ok("deals", "-f", "csv").out  # csv carries the data as stored
    raw = team.ok("deals", "-f", "json").out  # json too, but escaped: it reads back the same
    assert "\x1b" not in raw and "\u202e" not in raw
    assert json.loads(raw)[0]["customer"] == "Evil\x1b]0;pwned\x07Co\u202eXY"


def test_output_into_a_fifo_streams_into_it(team, tmp_path):
    add_lead(team)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    team.ok("export", "deals", "-o", str(fifo))
    reader.join(10)
    assert got and got[0].startswith(b"deal_id,") and b"\n1," in got[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, not replaced by a file
    team.ok("export", "deals", "-o", "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(team, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    team.ok("export", "deals", "-o", str(link))
    assert link.is_symlink() and target.read_text().startswith("deal_id,")


# --- a damaged database says what is wrong with it -----------------------------------------------------------------

@pytest.mark.sqlite_only  # a damaged or bare SQLite file
def test_doctor_reports_a_malformed_database(team):
    add_lead(team)
    for i in range(30):
        add_lead(team, f"公司{i}", phone=f"1390000{i:04d}")
    team.ok("doctor")
    size = team.db.stat().st_size
    with open(team.db, "r+b") as f:  # scribble over the pages after the schema
        f.seek(4096 * 3)
        f.write(b"\xff" * (size - 4096 * 3))
    run = team.fails(1, "doctor", "-f", "csv")
    assert ",problem," in run.out and "malformed" in run.out, run.out
    run = team.fails(1, "deals")
    assert run.err.startswith("error: ") and "damaged" in run.err and "internal error" not in run.err


@pytest.mark.sqlite_only  # a damaged or bare SQLite file
def test_a_truncated_database_is_called_truncated(team):
    for i in range(60):
        add_lead(team, f"公司{i}", phone=f"1390000{i:04d}")
    size = team.db.stat().st_size
    os.truncate(team.db, 8192)
    run = team.fails(1, "deals")
    assert run.err.splitlines()[0] == f"error: {team.db} is truncated (8,192 of {size:,} bytes)"
    assert "truncated" in team.fails(1, "doctor", "-f", "csv").out


@pytest.mark.sqlite_only  # a damaged or bare SQLite file
def test_init_makes_an_existing_empty_file_owner_only(cli, tmp_path):
    old = os.umask(0o022)
    try:
        cli.db.touch()
    finally:
        os.umask(old)
    assert cli.db.stat().st_mode & 0o777 == 0o644
    cli.ok("init")
    assert cli.db.stat().st_mode & 0o777 == 0o600
    assert "readable by others" not in cli.ok("doctor", "-f", "csv").out


def test_the_largest_amounts_do_not_break_reports(team):
    for i, phone in enumerate(("13900000011", "13900000012")):
        deal = add_lead(team, f"大客户{i}", phone=phone)
        team.ok("set", str(deal), "amount=10000亿", "close=2026-12-20")
    for args in (["forecast", "snapshot"], ["forecast", "-f", "csv"], ["forecast", "--by", "rep", "-f", "csv"],
                 ["funnel", "-f", "csv"], ["funnel", "--summary", "-f", "csv"], ["review", "-f", "json"],
                 ["deals", "-f", "csv"], ["health", "-f", "csv"]):
        team.ok(*args)
    assert "2000000000000.00" in team.ok("forecast", "-f", "csv").out


@pytest.mark.sqlite_only  # a damaged or bare SQLite file
def test_a_schema_that_is_not_text_is_called_damaged(team):
    conn = sqlite3.connect(team.db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET name = CAST(X'776fb4' AS TEXT) WHERE name = 'target'")
    conn.commit()
    conn.close()
    assert team.fails(1, "deals").err.startswith(f"error: {team.db} is damaged (its schema is not valid text)")
    assert "integrity,problem" in team.fails(1, "doctor", "-f", "csv").out


def test_a_name_is_one_line_without_tabs(team):
    """A tab or line break in a name would push a table's columns apart or fake a row: names keep one line."""
    run = team.ok("lead", "add", "Tab\there\nCo", "--contact", "A\tB", "--phone", "13800138000", "--source", "web\tfair")
    deal = int(run.out.split()[0].lstrip("#"))
    assert team.query("SELECT c.name, d.source FROM deal d JOIN customer c ON c.id = d.customer_id WHERE d.id = ?", deal) == [
        ("Tab here Co", "web fair")]
    assert team.query("SELECT name FROM contact") == [("A B",)]
    lines = team.ok("deals", "--status", "all").out.splitlines()
    assert any("Tab here Co" in line for line in lines)
    assert not any("\t" in line for line in lines)
