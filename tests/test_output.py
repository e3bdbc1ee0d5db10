"""`deals` output in every format: exact machine columns and values, aligned human tables."""

from __future__ import annotations

import json
import re
import stat

import pytest

from conftest import add_lead, check_golden

HEADER = ("deal_id,external_id,title,customer,contact,phone,email,owner,pipeline,stage,status,amount,"
          "close_date,source,grade,created_at,closed_at,lost_reason,next_followup,fields,history,last_activity")


@pytest.fixture
def book(team):
    add_lead(team, "华为技术有限公司", "--amount", "12万", "--close", "2026-12-20", "--grade", "A", "--next", "fri")
    team.ok("lead", "add", "ACME Robotics", "--contact", "Ann Lee", "--email", "ann@acme.com", "--source", "web",
            "--title", "=HYPERLINK(\"x\")", "--amount", "99.5")
    lost = add_lead(team, "深圳鼎盛电子有限公司", phone="13900139000")
    team.ok("lose", str(lost), "--reason", "price")
    return team


def test_csv_is_exact(book):
    out = book.ok("deals", "--status", "all", "-f", "csv").out
    assert out.splitlines() == [
        HEADER,
        "1,,华为技术有限公司,华为技术有限公司,张三,+8613800138000,,wang,standard,lead,open,120000.00,2026-12-20,"
        "expo,A,2026-11-02T09:00:00,,,2026-11-06T00:00:00,{},,",
        '2,,"\'=HYPERLINK(""x"")",ACME Robotics,Ann Lee,,ann@acme.com,,standard,lead,open,99.50,,web,B,'
        "2026-11-02T09:00:00,,,,{},,",
        "3,,深圳鼎盛电子有限公司,深圳鼎盛电子有限公司,张三,+8613900139000,,wang,standard,lost,lost,0.00,,expo,B,"
        "2026-11-02T09:00:00,2026-11-02T09:00:00,price,,{},,",
    ]


def test_json_and_jsonl_carry_machine_values(book):
    rows = json.loads(book.ok("deals", "-f", "json").out)
    assert [r["deal_id"] for r in rows] == [1, 2]  # open only by default
    assert rows[0] == {
        "deal_id": 1, "external_id": None, "title": "华为技术有限公司", "customer": "华为技术有限公司", "contact": "张三",
        "phone": "+8613800138000", "email": None, "owner": "wang", "pipeline": "standard", "stage": "lead",
        "status": "open", "amount": 120000.0, "close_date": "2026-12-20", "source": "expo", "grade": "A",
        "created_at": "2026-11-02T09:00:00", "closed_at": None, "lost_reason": None,
        "next_followup": "2026-11-06T00:00:00", "fields": {}, "history": None, "last_activity": None,
    }
    raw = book.ok("deals", "-f", "json").out
    assert '"amount": 120000.00,' in raw and '"amount": 99.50,' in raw  # two decimals, never a float repr
    lines = book.ok("deals", "--status", "lost", "-f", "jsonl").out.splitlines()
    assert [json.loads(line)["lost_reason"] for line in lines] == ["price"]


def test_tsv_and_empty_results(book):
    out = book.ok("deals", "--rep", "zhao", "-f", "tsv").out
    assert out == HEADER.replace(",", "\t") + "\n"
    assert book.ok("deals", "--rep", "zhao").err == "no deals match\n"
    assert book.ok("deals", "--rep", "zhao", "-f", "json").out == "[\n]\n"


def test_filters(book):
    ids = lambda *a: [json.loads(x)["deal_id"] for x in book.ok("deals", *a, "-f", "jsonl").out.splitlines()]
    assert ids("--rep", "wang") == [1]
    assert ids("--rep", "王伟") == [1]  # display names work too
    assert ids("--rep", "-") == [2]  # unassigned
    assert ids("--grade", "a") == [1]
    assert ids("--source", "web") == [2]
    assert ids("--customer", "acme") == [2]
    assert ids("--customer", "华为") == [1]
    assert ids("--status", "all", "--stage", "lost") == [3]
    assert "not a status" in book.fails(1, "deals", "--status", "closed").err
    assert "not a stage" in book.fails(1, "deals", "--stage", "signed").err


def test_chinese_table_is_aligned(book):
    out = book.ok("deals", "--status", "all").out
    check_golden("deals_en.txt", out)
    from wcwidth import wcswidth

    widths = {wcswidth(line.rstrip()) for line in out.splitlines()[:2]}
    assert len(out.splitlines()) == 5
    assert max(wcswidth(line) for line in out.splitlines()) <= max(widths) + 2


def test_lang_zh_shows_chinese_labels(book):
    out = book.ok("deals", "--status", "all", "--lang", "zh").out
    check_golden("deals_zh.txt", out)
    header = out.splitlines()[0].split()
    assert header[:4] == ["商机", "标题", "客户", "负责人"]
    assert "线索" in out and "输单" in out
    assert book.ok("deals", env={"LANG": "zh_CN.UTF-8"}).out.splitlines()[0].split()[0] == "商机"
    csv_header = book.ok("deals", "--lang", "zh", "-f", "csv").out.splitlines()[0]
    assert csv_header == HEADER  # machine headers stay English


def test_markdown(book):
    out = book.ok("deals", "-f", "markdown").out
    assert out.splitlines()[0] == "### Deals — status open"
    assert "| Deal | Title" in out.replace("  ", " ").replace("  ", " ")
    assert "120,000" in out


def test_a_terminal_table_keeps_user_text_literal(team):
    team.ok("lead", "add", "[bold]Evil[/bold] Corp", "--contact", "x", "--email", "x@y.co", "--source", "web")
    out = team.ok("deals", "--color", "always", env={"COLUMNS": "200"}).out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "[bold]Evil[/bold] Corp" in plain  # not interpreted as markup
    assert "─" in out and "\x1b[1m" in out  # the terminal's drawing: a rule under bold headers


def test_output_file_is_written_atomically_and_owner_only(book, tmp_path):
    target = tmp_path / "deals.csv"
    run = book.ok("deals", "-f", "csv", "-o", str(target))
    assert run.out == ""
    assert target.read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".deals")] == []  # no temp file left


def test_show_card_and_json(book):
    book.ok("touch", "1", "--kind", "call", "--note", "约了周五拜访")
    out = book.ok("show", "#1").out
    assert out.splitlines()[0] == "#1 华为技术有限公司"
    assert "Days in stage" in out and "约了周五拜访" in out and "created in lead" in out
    assert re.search(r"Days in stage +0\n", out)  # whole days, not 0.0
    card = json.loads(book.ok("show", "1", "-f", "json").out)
    assert card["deal_id"] == 1 and card["title"] == "华为技术有限公司"  # the deal's own fields, not the heading
    assert card["stage"] == "lead" and card["amount"] == 120000.0 and card["days_in_stage"] == 0
    assert [(e["type"], e["what"]) for e in card["timeline"]] == [("stage", "created in lead"), ("touch", "call")]
    assert card["process_fields"] == {"need": "", "budget": "", "decision_maker": "", "competitor": ""}


def test_show_offers_table_and_json_only(book):
    run = book.fails(2, "show", "1", "-f", "csv")
    assert run.err.splitlines()[0] == "error: show supports -f table or json, not csv"


@pytest.mark.parametrize("command", [("due", "--all"), ("deals",), ("funnel",)])
def test_on_an_80_column_terminal_nothing_is_wider_and_no_id_or_amount_is_broken(tmp_path, command):
    """A real pseudo-terminal, 80 columns wide, colour on: every line fits, and every id and amount the
    csv carries appears whole on screen (nothing wrapped or cut mid-number)."""
    import csv as csvlib
    import fcntl
    import io
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    from wcwidth import wcswidth

    env = dict(os.environ, SALESFLOW_DB=str(tmp_path / "demo.db"), SALESFLOW_NOW="2026-11-23T08:30", COLUMNS="",
               LINES="")
    env.pop("COLUMNS")
    env.pop("LINES")
    subprocess.run([sys.executable, "-m", "salesflow", "demo"], env=env, capture_output=True, check=True)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "salesflow", *command], env=env, stdout=follower,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    screen = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    assert proc.returncode == 0
    wide = [line for line in screen.splitlines() if wcswidth(line) > 80]
    assert wide == [], wide
    machine = subprocess.run([sys.executable, "-m", "salesflow", *command, "-f", "csv"], env=env, capture_output=True,
                             text=True, check=True).stdout
    rows = list(csvlib.DictReader(io.StringIO(machine)))
    assert rows
    tokens = set(re.split(r"[\s│]+", screen))
    for row in rows:
        if "deal_id" in row:
            assert row["deal_id"] in tokens, row["deal_id"]
        for key in ("amount", "open_amount"):
            if row.get(key):
                major = float(row[key])
                shown = f"{major:,.0f}" if major == int(major) else f"{major:,.2f}"
                assert shown in tokens, (key, shown)
