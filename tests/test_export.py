"""`export`: stable columns, every status, formula neutralising, --raw, --excel, safe files."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest

from conftest import add_lead

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"]


@pytest.fixture
def book(team):
    add_lead(team, "华为技术有限公司", "--amount", "12万")
    team.ok("touch", "1", "--kind", "call", "--note", "=HYPERLINK(\"http://evil\")", "--outcome", "@SUM(1)")
    team.ok("lead", "add", "ACME", "--contact", "Ann", "--email", "a@b.co", "--source", "web")
    team.ok("lose", "2", "--reason", "price")
    return team


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_columns_of_every_table(book):
    headers = {what: rows(book.ok("export", what).out)[0] for what in
               ("deals", "touches", "stage-events", "customers", "reps")}
    assert headers == {
        "deals": ["deal_id", "external_id", "title", "customer", "contact", "phone", "email", "owner", "pipeline",
                  "stage", "status", "amount", "close_date", "source", "grade", "created_at", "closed_at",
                  "lost_reason", "next_followup", "fields", "history", "last_activity"],
        "touches": ["touch_id", "deal_id", "kind", "at", "by", "contact", "notes", "outcome", "template", "steps"],
        "stage-events": ["event_id", "deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced"],
        "customers": ["customer_id", "name", "grade", "industry", "created_at", "contacts", "deals", "open_deals"],
        "reps": ["handle", "name", "role", "manager", "team", "capacity", "active", "open_deals"],
    }


def test_export_deals_includes_every_status(book):
    assert [r[10] for r in rows(book.ok("export", "deals").out)[1:]] == ["open", "lost"]
    events = [json.loads(x) for x in book.ok("export", "stage-events", "-f", "jsonl").out.splitlines()]
    assert [(e["deal_id"], e["from_stage"], e["to_stage"], e["forced"]) for e in events] == [
        (1, None, "lead", False), (2, None, "lead", False), (2, "lead", "lost", False)]


@pytest.mark.parametrize("trigger", [t for t in TRIGGERS if t.strip()])
def test_every_formula_trigger_is_neutralised_unless_raw(team, trigger):
    add_lead(team, "ACME")
    team.ok("set", "1", f"title={trigger}cmd|' /C calc'!A0")
    assert rows(team.ok("export", "deals").out)[1][2] == f"'{trigger}cmd|' /C calc'!A0"
    assert rows(team.ok("export", "deals", "--raw").out)[1][2] == f"{trigger}cmd|' /C calc'!A0"


def test_white_space_triggers_are_neutralised_too():
    # typed text is trimmed on input, so tab/CR/LF can only lead a cell that came from elsewhere
    from salesflow.output.emit import neutralise

    for trigger in TRIGGERS:
        assert neutralise(f"{trigger}1+1") == f"'{trigger}1+1"
    assert neutralise("plain") == "plain" and neutralise("12万") == "12万"


def test_touch_cells_and_numbers(book):
    touch = rows(book.ok("export", "touches").out)[1]
    assert touch[6] == "'=HYPERLINK(\"http://evil\")" and touch[7] == "'@SUM(1)"
    deal = rows(book.ok("export", "deals").out)[1]
    assert deal[5] == "+8613800138000"  # E.164 phones are digits only: left as they are
    assert deal[11] == "120000.00"


def test_excel_adds_a_bom_and_crlf(book):
    out = book.runner.invoke(__import__("salesflow.cli", fromlist=["app"]).app, ["export", "reps", "--excel"],
                             env=book.env()).stdout_bytes
    assert out.startswith("\ufeff".encode()) and b"\r\n" in out and out.count(b"\n") == out.count(b"\r\n")


def test_output_files_are_atomic_and_owner_only(book, tmp_path):
    target = tmp_path / "deals.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    book.ok("export", "deals", "-o", str(target))
    assert rows(target.read_text(encoding="utf-8"))[0][0] == "deal_id"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".deals")] == []  # no temp file left


def test_bad_export_requests(book):
    assert "not something to export" in book.fails(2, "export", "invoices").err
    assert book.fails(2, "export", "deals", "-f", "table").code == 2


def test_export_deals_is_deals_of_every_status(book):
    """`export deals` streams its own query: it must say exactly what `deals --status all -f csv` says."""
    for fmt in ("csv", "json"):
        assert book.ok("export", "deals", "-f", fmt).out == book.ok("deals", "--status", "all", "-f", fmt).out


AWKWARD = ["plain", 'say "hi"', "a,b", "two\nlines", "cr\ronly", "tab\there", "=1+2", "＝SUM(A1)", "-3", "+4", "@x",
           "\tlead", "中文，逗号", "'quoted'", ""]


@pytest.mark.parametrize("args", [(), ("--raw",), ("--excel",), ("-f", "tsv"), ("-f", "tsv", "--raw")])
def test_streamed_export_equals_the_deals_listing_on_awkward_values(cli, tmp_path, args):
    """`export deals` streams tuples from its own query; `deals -f csv` goes through the listing's rows.
    Both must read back to the same cells for every awkward value (quotes, separators, line breaks,
    formula triggers, phones kept as written), and the file must parse back to one row per deal."""
    cli.ok("init")
    lines = ["客户名称,商机名称,电话,来源"] + [
        ",".join('"' + v.replace('"', '""') + '"' for v in (f"客户{i}", text or "x", phone, text))
        for i, (text, phone) in enumerate(zip(AWKWARD, ["=1+2", "-5", "13800138000", "@9", "abc"] * 3))]
    path = tmp_path / "awkward.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli.ok("import", "deals", str(path), "--preset", "excel-zh")
    fast = cli.ok("export", "deals", *args).out
    slow = cli.ok("deals", "--status", "all", "-f", "tsv" if "tsv" in args else "csv").out
    delimiter = "\t" if "tsv" in args else ","
    parse = lambda text: list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))  # noqa: E731
    if "--raw" not in args:  # `deals` has no --raw; --excel only adds a BOM and CRLF
        assert parse(fast) == parse(slow)
    assert len(parse(fast)) == len(AWKWARD) + 1
    rows = {row[3]: row for row in parse(fast)[1:]}  # by customer 客户N: N-th awkward value
    assert rows["客户4"][2] == "cr only" and rows["客户3"][2] == "two lines"  # a title is one line
    assert rows["客户2"][5] == "+8613800138000"  # E.164 is never touched
    if "--raw" in args:
        assert (rows["客户0"][5], rows["客户6"][2], rows["客户1"][5]) == ("=1+2", "=1+2", "-5")
    else:
        assert (rows["客户0"][5], rows["客户6"][2], rows["客户1"][5]) == ("'=1+2", "'=1+2", "'-5")
        assert rows["客户7"][2] == "'＝SUM(A1)" and rows["客户11"][2] == "lead"  # trimmed on the way in


# --- a long export: two processes, one snapshot -----------------------------------------------------------

@pytest.fixture
def awkward(cli, tmp_path):
    cli.ok("init")
    lines = ["客户名称,商机名称,电话,来源"] + [
        ",".join('"' + v.replace('"', '""') + '"' for v in (f"客户{i}", text or "x", phone, text))
        for i, (text, phone) in enumerate(zip(AWKWARD * 3, ["=1+2", "-5", "13800138000", "@9", "abc"] * 9))]
    path = tmp_path / "awkward.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli.ok("import", "deals", str(path), "--preset", "excel-zh")
    return cli


