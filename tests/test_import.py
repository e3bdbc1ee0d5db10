"""`import deals|touches`: presets field by field, encodings, idempotence, rejects, dry run, round trip."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import add_lead, at

EXAMPLES = Path(__file__).parent.parent / "examples" / "import"
DEAL_FIELDS = ("external_id", "title", "customer", "contact", "phone", "email", "owner", "stage", "status", "amount",
               "close_date", "source", "created_at", "closed_at", "lost_reason", "next_followup")


@pytest.fixture
def book(cli):
    at(cli, "2026-11-23T10:00")
    cli.ok("init")
    return cli


def deals(cli) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(cli.ok("export", "deals", "--raw").out)))
    return [{k: r[k] for k in DEAL_FIELDS} for r in rows]


def events(cli, deal_id: int) -> list[tuple]:
    return cli.query("SELECT from_stage, to_stage, at FROM stage_event WHERE deal_id = ? ORDER BY id", deal_id)


def data_tables(dump: str) -> list[str]:
    """A dump without the record of commands and their changes: what an undo must put back exactly."""
    return [ln for ln in dump.splitlines() if not ln.startswith(('INSERT INTO "command"', 'INSERT INTO "change_log"'))]


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(encoding))
    return path


# --- presets, field by field ---------------------------------------------------------------------------

def test_pipedrive_export(book):
    # its amounts are in USD; this database counts in CNY: nothing comes in until a rate says what a dollar is
    refused = book.fails(1, "import", "deals", str(EXAMPLES / "pipedrive-deals.csv"), "--create-reps")
    assert refused.err.splitlines()[:2] == [
        "error: pipedrive-deals.csv: unknown currency (no rate) values; nothing was imported", "  currency (1): 'USD' (4 rows)"]
    assert "--rate 'USD=RATE'" in refused.err
    assert book.query("SELECT COUNT(*) FROM deal") == [(0,)]
    run = book.ok("import", "deals", str(EXAMPLES / "pipedrive-deals.csv"), "--create-reps", "--rate", "USD=7.10")
    assert "preset pipedrive (detected from the header)" in run.err
    assert run.out.splitlines()[0] == ("imported pipedrive-deals.csv: 5 rows → 4 created, 0 updated, 0 unchanged,"
                                       " 1 skipped, 0 rejected")
    assert "1 row: skipped: deleted in the source system" in run.err
    assert deals(book) == [
        {"external_id": "101", "title": "Northwind renewal", "customer": "Northwind Traders", "contact": "Anne Dodsworth",
         "phone": "+12065550188", "email": "anne@northwind.example", "owner": "tom-baker", "stage": "negotiation",
         "status": "open", "amount": "85200.00", "close_date": "2026-12-15", "source": "Referral",
         "created_at": "2026-06-02T09:15:00", "closed_at": "", "lost_reason": "", "next_followup": "2026-11-25T00:00:00"},
        {"external_id": "102", "title": "Contoso fleet trackers", "customer": "Contoso Ltd", "contact": "Brian Cox",
         "phone": "(425) 555-0100", "email": "bcox@contoso.example", "owner": "li-na", "stage": "won", "status": "won",
         "amount": "344350.00", "close_date": "2026-09-30", "source": "Website", "created_at": "2026-04-10T14:00:00",
         "closed_at": "2026-09-30T16:20:00", "lost_reason": "", "next_followup": ""},
        {"external_id": "103", "title": "Fabrikam pilot", "customer": "Fabrikam", "contact": "", "phone": "", "email": "",
         "owner": "li-na", "stage": "lost", "status": "lost", "amount": "53250.00", "close_date": "2026-08-31",
         "source": "Expo", "created_at": "2026-05-20T11:30:00", "closed_at": "2026-08-14T09:00:00",
         "lost_reason": "price", "next_followup": ""},
        {"external_id": "104", "title": "Adventure Works POS", "customer": "Adventure Works", "contact": "Kim Abercrombie",
         "phone": "+861088886666", "email": "", "owner": "tom-baker", "stage": "lead", "status": "open",
         "amount": "0.00", "close_date": "", "source": "Cold call", "created_at": "2026-11-01T08:00:00",
         "closed_at": "", "lost_reason": "", "next_followup": ""},
    ]
    # the original currency and amount stay in the deal's fields
    assert book.query("SELECT fields FROM deal WHERE external_id = '102'") == [
        ('{"amount_original": "48500.00", "currency": "USD"}',)]
    # the file's last activity counts as a touch; a deal with none is due once, for a review, from the import
    assert book.query("SELECT external_id, last_activity_at, review_from FROM deal ORDER BY id") == [
        ("101", "2026-11-02T00:00:00", None), ("102", "2026-09-30T00:00:00", None),
        ("103", "2026-08-10T00:00:00", None), ("104", None, "2026-11-23T10:00:00")]
    # the file's history as stage events: created into the stage it names, then closed from there
    assert events(book, 2) == [(None, "proposal", "2026-04-10T14:00:00"), ("proposal", "won", "2026-09-30T16:20:00")]
    assert events(book, 3) == [(None, "qualified", "2026-05-20T11:30:00"), ("qualified", "lost", "2026-08-14T09:00:00")]
    assert book.query("SELECT lost_from_stage, progressed_at FROM deal WHERE id = 3") == [("qualified", None)]
    assert book.query("SELECT progressed_at FROM deal WHERE id = 2") == [("2026-09-30T16:20:00",)]
    assert book.query("SELECT handle, name FROM rep ORDER BY handle") == [("li-na", "Li Na"), ("tom-baker", "Tom Baker")]


def test_phones_without_a_country_code_are_read_in_the_phone_region(book, tmp_path):
    """A US number is not a valid Chinese one: by default (CN) it stays as written, never a wrong +86 number;
    --phone-region US (or SALESFLOW_PHONE_REGION) reads it as American. A number with its +code is read anywhere;
    one that is not valid in the region is kept exactly as written."""
    from conftest import Cli

    path = write(tmp_path, "p.csv", "客户名称,电话\nA,(425) 555-0100\nB,138 0013 8000\nC,+44 20 7946 0958\nD,010 8888 6666\n")

    def phones(*args: str, env: dict | None = None) -> list[str]:
        home = tmp_path / str(len(list(tmp_path.iterdir())))
        home.mkdir()
        cli = at(Cli(home), "2026-11-23T10:00")
        cli.ok("init")
        cli.ok("import", "deals", str(path), *args, env=env)
        return [d["phone"] for d in deals(cli)]

    assert phones() == ["(425) 555-0100", "+8613800138000", "+442079460958", "+861088886666"]
    assert phones("--phone-region", "us") == ["+14255550100", "138 0013 8000", "+442079460958", "010 8888 6666"]
    assert phones(env={"SALESFLOW_PHONE_REGION": "US"})[0] == "+14255550100"
    before = book.dump()
    run = book.fails(1, "import", "deals", str(path), "--phone-region", "USA")
    assert run.err.splitlines()[0] == "error: phone region 'USA' is not a country code"
    assert book.dump() == before


def test_hubspot_export(book):
    book.ok("rep", "add", "maria", "--name", "Maria Garcia")
    book.ok("rep", "add", "wang", "--name", "Wang Wei")
    run = book.ok("import", "deals", str(EXAMPLES / "hubspot-deals.csv"))
    assert "preset hubspot (detected from the header)" in run.err
    got = deals(book)
    assert [(d["external_id"], d["title"], d["customer"], d["owner"], d["stage"], d["status"], d["amount"],
             d["close_date"], d["created_at"], d["closed_at"], d["lost_reason"]) for d in got] == [
        ("9001234501", "Globex – data platform", "Globex Corporation", "maria", "negotiation", "open", "85000.00",
         "2026-12-20", "2026-07-01T10:12:00", "", ""),
        ("9001234502", "Initech support plan", "Initech", "maria", "won", "won", "24000.00", "2026-10-03",
         "2026-08-15T09:00:00", "2026-10-03T00:00:00", ""),
        ("9001234503", "Umbrella lab rollout", "Umbrella Corp", "wang", "lost", "lost", "150000.00", "2026-09-12",
         "2026-05-02T13:45:00", "2026-09-12T00:00:00", "competitor"),
        ("9001234504", "Hooli analytics trial", "Hooli", "wang", "qualified", "open", "0.00", "2027-01-31",
         "2026-11-10T16:30:00", "", ""),
    ]
    assert "2 rows: won/lost without a close time: closed at the expected close date" in run.err


def test_salesforce_report_with_footer_needs_the_date_order(book):
    before = book.dump()
    run = book.fails(1, "import", "deals", str(EXAMPLES / "salesforce-opportunities.csv"), "--create-reps")
    assert run.err.splitlines()[-2:] == [
        "error: salesforce-opportunities.csv:2: date '7/3/2026' could be day/month or month/day; nothing was imported",
        "hint: say which with --date-format dmy (25/03/2026) or mdy (03/25/2026)"]
    assert book.dump() == before
    run = book.ok("import", "deals", str(EXAMPLES / "salesforce-opportunities.csv"), "--create-reps", "--date-format", "mdy")
    assert "4 rows → 4 created" in run.out  # Grand Totals, copyright, confidentiality and company lines skipped
    got = deals(book)
    assert [(d["title"], d["customer"], d["owner"], d["stage"], d["amount"], d["close_date"], d["created_at"],
             d["source"]) for d in got] == [
        ("Stark – 200 seats", "Stark Industries", "maria-garcia", "negotiation", "120000.00", "2026-12-18",
         "2026-07-03T00:00:00", "Partner"),
        ("Wayne security audit", "Wayne Enterprises", "maria-garcia", "won", "56000.00", "2026-09-28",
         "2026-07-02T00:00:00", "Web"),
        ("Cyberdyne pilot", "Cyberdyne Systems", "wang-wei", "lost", "30000.00", "2026-08-30", "2026-06-30T00:00:00",
         "Trade Show"),
        ("Tyrell replicant CRM", "Tyrell Corp", "wang-wei", "lead", "0.00", "2027-01-29", "2026-11-11T00:00:00",
         "Cold Call"),
    ]


def test_chinese_excel_sheet_in_gb18030_with_a_title_row_and_wan_yuan(book):
    book.ok("rep", "add", "wang", "--name", "王伟")
    book.ok("rep", "add", "lina", "--name", "李娜")
    run = book.ok("import", "deals", str(EXAMPLES / "excel-zh-deals.csv"))
    assert "excel-zh-deals.csv: gb18030, comma-separated, header on line 2, preset excel-zh (detected from the header)" in run.err
    assert "4 rows → 4 created" in run.out  # the 合计 row is a footer
    got = deals(book)
    assert [(d["customer"], d["contact"], d["phone"], d["email"], d["source"], d["stage"], d["amount"], d["owner"],
             d["close_date"], d["created_at"], d["closed_at"], d["lost_reason"]) for d in got] == [
        ("上海明华机械有限公司", "张伟", "+8613800138000", "zhangwei@minghua.example", "展会", "proposal", "125000.00",
         "wang", "2026-12-20", "2026-09-01T00:00:00", "", ""),
        ("苏州远航电子", "李娜", "+8651266881234", "", "转介绍", "won", "300000.00", "wang", "2026-10-15",
         "2026-06-12T00:00:00", "2026-10-12T00:00:00", ""),
        ("杭州青松软件", "陈晨", "+8615900001111", "chenchen@qingsong.example", "官网", "lost", "80000.00", "lina",
         "2026-09-30", "2026-07-03T00:00:00", "2026-09-20T00:00:00", "price"),
        ("南京东方物流", "", "", "", "电话营销", "lead", "0.00", "lina", "", "2026-11-18T00:00:00", "", ""),
    ]
    assert all(d["external_id"].startswith("row:") for d in got)  # no id column: keyed on a hash of the row


def test_xlsx_keeps_phones_as_text(book, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户名称", "联系人", "电话", "阶段", "金额", "创建日期"])
    ws.append(["北京星辰科技", "王强", 13800138000, "线索", 50000, datetime(2026, 10, 8, 14, 30)])
    ws.append(["天津海港物流", "赵敏", "01065432100", "方案", "12万", "2026-10-09"])
    path = tmp_path / "sheet.xlsx"
    wb.save(path)
    run = book.ok("import", "deals", str(path))
    assert "sheet.xlsx: xlsx, header on line 1, preset excel-zh" in run.err
    got = deals(book)
    assert [(d["customer"], d["phone"], d["stage"], d["amount"], d["created_at"]) for d in got] == [
        ("北京星辰科技", "+8613800138000", "lead", "50000.00", "2026-10-08T14:30:00"),
        ("天津海港物流", "+861065432100", "proposal", "120000.00", "2026-10-09T00:00:00"),
    ]


# --- encodings and delimiters -----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, expected", [("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("utf-8", "utf-8")])
def test_encodings(book, tmp_path, encoding, expected):
    path = write(tmp_path, "e.csv", "客户名称,阶段,金额\n深圳鼎盛电子,线索,3万\n", encoding)
    run = book.ok("import", "deals", str(path))
    assert f"e.csv: {expected}, comma-separated" in run.err
    assert [(d["customer"], d["amount"]) for d in deals(book)] == [("深圳鼎盛电子", "30000.00")]


def test_semicolon_csv_with_map_only(book, tmp_path):
    path = write(tmp_path, "semi.csv", "Firma;Wert;Phase\nMüller GmbH;1.500,00;lead\nSchmidt AG;2500;qualified\n")
    run = book.ok("import", "deals", str(path), "--map", "Firma=customer", "--map", "Wert=amount", "--map", "Phase=stage",
                  "--amount-unit", "1", "--rejects", str(tmp_path / "bad.csv"))
    assert "semi.csv: utf-8, semicolon-separated, header on line 1, no preset (--map only)" in run.err
    assert [(d["customer"], d["stage"], d["amount"]) for d in deals(book)] == [("Schmidt AG", "qualified", "2500.00")]
    rejects = list(csv.reader((tmp_path / "bad.csv").open(encoding="utf-8")))
    assert rejects == [["line", "reason", "Firma", "Wert", "Phase"],
                       ["2", "amount '1.500,00' is not an amount", "Müller GmbH", "1.500,00", "lead"]]


# --- bad rows, unknown values, rejects --------------------------------------------------------------------

BAD = "客户名称,阶段,金额,创建日期\n甲公司,线索,1万,2026-10-01\n乙公司,线索,很多,2026-10-02\n丙公司,方案,2万,2026-10-03\n"


def test_a_bad_row_aborts_everything_with_its_line(book, tmp_path):
    path = write(tmp_path, "bad.csv", BAD)
    before = book.dump()
    run = book.fails(1, "import", "deals", str(path))
    assert run.err.splitlines()[-2] == "error: bad.csv:3: amount '很多' is not an amount; nothing was imported"
    assert run.err.splitlines()[-1].startswith("hint: ")
    assert book.dump() == before


def test_rejects_file_takes_the_bad_rows_and_the_rest_is_imported(book, tmp_path):
    path = write(tmp_path, "bad.csv", BAD)
    run = book.ok("import", "deals", str(path), "--rejects", str(tmp_path / "rejects.csv"))
    assert "3 rows → 2 created, 0 updated, 0 unchanged, 0 skipped, 1 rejected" in run.out
    assert [d["customer"] for d in deals(book)] == ["甲公司", "丙公司"]
    assert list(csv.reader((tmp_path / "rejects.csv").open(encoding="utf-8")))[1] == [
        "3", "amount '很多' is not an amount", "乙公司", "线索", "很多", "2026-10-02"]
    assert (tmp_path / "rejects.csv").stat().st_mode & 0o077 == 0


def test_unknown_stages_and_owners_are_listed_together(book, tmp_path):
    path = write(tmp_path, "u.csv", "客户名称,阶段,负责人\n甲,初访,老王\n乙,初访,李娜\n丙,签约,老王\n")
    before = book.dump()
    run = book.fails(1, "import", "deals", str(path))
    assert run.err.splitlines()[-4:] == [
        "error: u.csv: unknown stage and owner values; nothing was imported",
        "  stage (2): '初访' (2 rows), '签约' (1 row)",
        "  owner (2): '老王' (2 rows), '李娜' (1 row)",
        "hint: map each with --stage-map '初访=STAGE' (a stage key of the pipeline, won or lost);"
        " add them with salesflow rep add, or pass --create-reps"]
    assert book.dump() == before
    book.ok("import", "deals", str(path), "--stage-map", "初访=lead", "--stage-map", "签约=won", "--create-reps")
    assert [(d["customer"], d["stage"], d["owner"]) for d in deals(book)] == [
        ("甲", "lead", "lao-wang"), ("乙", "lead", "li-na"), ("丙", "won", "lao-wang")]


def test_missing_customer_and_created_date_are_warnings_not_errors(book, tmp_path):
    path = write(tmp_path, "m.csv", "Deal Name,Deal Stage,Close Date,Amount\nNo company,Closed Won,2026-10-01,100\n"
                                    "Open one,Qualified To Buy,,5\n")
    run = book.ok("import", "deals", str(path), "--preset", "hubspot")
    assert "2 rows → 2 created" in run.out
    assert "warning: 2 rows: no customer: imported without one" in run.err
    assert "warning: 2 rows: no created date: used the close date, else now" in run.err
    assert [(d["title"], d["customer"], d["created_at"], d["closed_at"]) for d in deals(book)] == [
        ("No company", "", "2026-10-01T00:00:00", "2026-10-01T00:00:00"),
        ("Open one", "", "2026-11-23T10:00:00", "")]


def test_future_created_date_is_a_bad_row(book, tmp_path):
    path = write(tmp_path, "f.csv", "客户名称,创建日期\n甲,2027-01-01\n")
    run = book.fails(1, "import", "deals", str(path))
    assert "f.csv:2: created date '2027-01-01' is in the future" in run.err


# --- idempotence, duplicates, dry run ---------------------------------------------------------------------

def test_importing_twice_changes_nothing(book):
    book.ok("config", "set", "rate.USD", "7.10")  # the pipedrive sample is in USD
    for name in ("pipedrive-deals.csv", "hubspot-deals.csv", "excel-zh-deals.csv"):
        book.ok("import", "deals", str(EXAMPLES / name), "--create-reps")
    before = book.dump()
    for name in ("pipedrive-deals.csv", "hubspot-deals.csv", "excel-zh-deals.csv"):
        run = book.ok("import", "deals", str(EXAMPLES / name), "--create-reps")
        assert " 0 created, 0 updated" in run.out
    assert book.dump() == before


def test_on_duplicate_update_skip_fail(book, tmp_path):
    book.ok("import", "deals", str(EXAMPLES / "hubspot-deals.csv"), "--create-reps")
    changed = (EXAMPLES / "hubspot-deals.csv").read_text(encoding="utf-8").replace(
        "Qualified To Buy,2027-01-31,Wang Wei,", "Closed Won,2026-11-20,Wang Wei,42000")
    path = write(tmp_path, "hubspot-again.csv", changed)
    before = book.dump()
    run = book.fails(1, "import", "deals", str(path), "--on-duplicate", "fail")
    assert "hubspot-again.csv:2: deal 9001234501 already exists (#1)" in run.err
    assert "1 skipped" not in book.ok("import", "deals", str(path), "--on-duplicate", "skip").out
    assert book.dump() == before
    run = book.ok("import", "deals", str(path))
    assert "4 rows → 0 created, 1 updated, 3 unchanged" in run.out
    assert book.query("SELECT stage, status, amount, closed_at, progressed_at FROM deal WHERE external_id = '9001234504'") == [
        ("won", "won", 4200000, "2026-11-20T00:00:00", "2026-11-20T00:00:00")]
    assert events(book, 4)[-1] == ("qualified", "won", "2026-11-20T00:00:00")
    # the update is one command: undo puts the deal back as it was
    book.ok("undo")
    assert book.query("SELECT stage, status, amount, closed_at FROM deal WHERE id = 4") == [("qualified", "open", 0, None)]


def test_edit_the_sheet_and_reimport_a_changed_stage_and_a_new_row(book, tmp_path):
    """The README's workflow: a deal moved on in the sheet and a row added, imported again. The moved deal's
    stage event and the new row's events share one id sequence (an update's event took max(id) + 1, an id
    already promised to a new row's event, and the import failed with a UNIQUE constraint)."""
    first = "编号,客户名称,阶段,金额,创建日期\nA1,甲公司,线索,1万,2026-10-01\nA2,乙公司,线索,2万,2026-10-02\n"
    book.ok("import", "deals", str(write(tmp_path, "sheet.csv", first)))
    again = first.replace("A1,甲公司,线索", "A1,甲公司,方案报价") + "A3,丙公司,需求确认,3万,2026-10-03\n"
    run = book.ok("import", "deals", str(write(tmp_path, "sheet.csv", again)))
    assert "3 rows → 1 created, 1 updated, 1 unchanged" in run.out
    assert book.query("SELECT external_id, stage FROM deal ORDER BY id") == [
        ("A1", "proposal"), ("A2", "lead"), ("A3", "qualified")]
    assert book.ok("doctor").code == 0
    book.ok("undo")
    assert book.query("SELECT external_id, stage FROM deal ORDER BY id") == [("A1", "lead"), ("A2", "lead")]


def test_dry_run_previews_and_writes_nothing(book):
    before = book.dump()
    run = book.ok("import", "deals", str(EXAMPLES / "pipedrive-deals.csv"), "--create-reps", "--rate", "USD=7.10", "--dry-run",
                   "-f", "csv")
    lines = run.out.splitlines()
    assert lines[0] == "line,action,deal,title,customer,owner,stage,status,amount,note"
    assert lines[1] == "2,create,1,Northwind renewal,Northwind Traders,tom-baker,negotiation,open,85200.00,"
    assert lines[-2] == ("would import pipedrive-deals.csv: 5 rows → 4 created, 0 updated, 0 unchanged,"
                         " 1 skipped, 0 rejected")
    assert lines[-1] == "would also create 2 reps, 4 customers, 3 contacts, 6 stage events"
    assert "dry run: nothing was written" in run.err
    assert book.dump() == before


def test_an_import_is_one_command_undo_removes_it_all(book):
    before = book.dump()
    book.ok("import", "deals", str(EXAMPLES / "pipedrive-deals.csv"), "--create-reps", "--rate", "USD=7.10")
    book.ok("import", "touches", str(EXAMPLES / "pipedrive-activities.csv"))
    assert book.query("SELECT COUNT(*) FROM touch") == [(3,)]
    book.ok("undo")
    assert book.query("SELECT COUNT(*) FROM touch") == [(0,)]
    book.ok("undo")
    assert book.query("SELECT COUNT(*) FROM deal") == [(0,)]
    assert book.query("SELECT COUNT(*) FROM rep") == [(0,)]
    assert before.count("INSERT INTO \"deal\"") == 0
    # every data table is back as it was; only the record of the commands and their undos remains
    assert data_tables(book.dump()) == data_tables(before)


# --- touches ---------------------------------------------------------------------------------------------

def test_touches_by_external_id_and_idempotent(book):
    book.ok("import", "deals", str(EXAMPLES / "pipedrive-deals.csv"), "--create-reps", "--rate", "USD=7.10")
    run = book.ok("import", "touches", str(EXAMPLES / "pipedrive-activities.csv"))
    assert "3 rows → 3 created" in run.out
    assert book.query("SELECT deal_id, kind, at, by, notes, outcome FROM touch ORDER BY id") == [
        (1, "call", "2026-06-03T00:00:00", "tom-baker", "Interested in renewal; budget approved in Q4", "Intro call"),
        (1, "meeting", "2026-10-20T00:00:00", "tom-baker", "Demo for ops team", "On-site demo"),
        (2, "email", "2026-09-01T00:00:00", "li-na", "Sent revised pricing", "Pricing email"),
    ]
    before = book.dump()
    assert "0 created, 0 updated, 0 unchanged, 3 skipped" in book.ok("import", "touches", str(EXAMPLES / "pipedrive-activities.csv")).out
    assert book.dump() == before


def test_touches_for_unknown_deals_are_listed(book, tmp_path):
    path = write(tmp_path, "t.csv", "deal_id,kind,at,notes\n7,call,2026-11-01,hi\n8,call,2026-11-01,hi\n")
    run = book.fails(1, "import", "touches", str(path))
    assert "error: t.csv: unknown deal values; nothing was imported" in run.err
    assert "  deal (2): '7' (1 row), '8' (1 row)" in run.err


# --- round trip -------------------------------------------------------------------------------------------

def test_export_then_import_into_a_fresh_database_keeps_everything(team, tmp_path):
    deal = add_lead(team, "华为技术有限公司", "--amount", "12万", "--close", "2026-12-20", "--grade", "A", "--next", "fri")
    team.ok("set", str(deal), "need=CRM", "budget=50万", "decision_maker=张总")
    team.ok("advance", str(deal), "qualified")
    team.ok("touch", str(deal), "--kind", "visit", "--note", "见了张总，=SUM(1) 不是公式", "--contact", "张总")
    lost = add_lead(team, "ACME", phone="13900139000")
    team.ok("lose", str(lost), "--reason", "price")
    for what in ("deals", "stage-events", "touches"):
        team.ok("export", what, "-o", str(tmp_path / f"{what}.csv"), "--raw")
    source = {what: team.ok("export", what, "-f", "json").out for what in ("deals", "stage-events", "touches")}

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    team.db = fresh / "copy.db"
    team.ok("init")
    for handle, name in (("li", "李娜"), ("wang", "王伟"), ("zhao", "赵磊")):
        team.ok("rep", "add", handle, "--name", name)
    team.ok("import", "deals", str(tmp_path / "deals.csv"), "--events", str(tmp_path / "stage-events.csv"))
    team.ok("import", "touches", str(tmp_path / "touches.csv"))
    copy = {what: team.ok("export", what, "-f", "json").out for what in ("deals", "stage-events", "touches")}
    assert json.loads(copy["deals"]) == json.loads(source["deals"])
    strip = lambda rows, key: [{k: v for k, v in r.items() if k != key} for r in json.loads(rows)]  # noqa: E731
    assert strip(copy["stage-events"], "event_id") == strip(source["stage-events"], "event_id")
    assert strip(copy["touches"], "touch_id") == strip(source["touches"], "touch_id")
    # derived data agrees with a rebuild from the events
    assert team.query("SELECT id, stage_entered_at, progressed_at, lost_from_stage FROM deal ORDER BY id") == [
        (1, json.loads(source["stage-events"])[1]["at"], json.loads(source["stage-events"])[1]["at"], None),
        (2, json.loads(source["stage-events"])[-1]["at"], None, "lead")]


def test_usage_errors(book, tmp_path):
    path = write(tmp_path, "x.csv", "客户名称\n甲\n")
    assert "--map target 'nonsense'" in book.fails(2, "import", "deals", str(path), "--map", "客户名称=nonsense").err
    assert "preset 'zoho'" in book.fails(2, "import", "deals", str(path), "--preset", "zoho").err
    assert "--on-duplicate 'merge'" in book.fails(2, "import", "deals", str(path), "--on-duplicate", "merge").err
    assert "no such file" in book.fails(1, "import", "deals", str(tmp_path / "nope.csv")).err
    assert "is empty" in book.fails(1, "import", "deals", str(write(tmp_path, "empty.csv", ""))).err
    assert "--stage-map target 'signed'" in book.fails(2, "import", "deals", str(path), "--preset", "excel-zh",
                                                    "--stage-map", "a=signed").err
    shutil.copy(path, tmp_path / "x.xls")
    assert ".xls workbooks" in book.fails(1, "import", "deals", str(tmp_path / "x.xls")).err


# --- big files: secondary indexes dropped during the load and rebuilt after --------------------------------------------------------

BROKEN = "客户名称,阶段,金额,创建日期\n甲公司,线索,1万,2026-10-01\n乙公司,线\x00索,2万,2026-10-02\n丙,线索,1,2026-10-03\n"
SCENARIOS = {
    "pipedrive": (["pipedrive-deals.csv", "--create-reps", "--rate", "USD=7.10"], None),
    "salesforce": (["salesforce-opportunities.csv", "--create-reps", "--date-format", "mdy"], None),
    "salesforce ambiguous dates": (["salesforce-opportunities.csv", "--create-reps"], None),
    "excel-zh gb18030": (["excel-zh-deals.csv"], None),
    "dry run": (["pipedrive-deals.csv", "--create-reps", "--rate", "USD=7.10", "--dry-run"], None),
    "bad row": (["bad.csv"], BAD),
    "bad row rejected": (["bad.csv", "--rejects", "REJECTS"], BAD),
    "unknown values": (["u.csv"], "客户名称,阶段,负责人\n甲,初访,老王\n乙,初访,李娜\n丙,签约,老王\n"),
    "unknown values rejected": (["u.csv", "--rejects", "REJECTS", "--create-reps"],
                                "客户名称,阶段,负责人\n甲,初访,老王\n乙,线索,李娜\n丙,签约,老王\n"),
    "warnings": (["m.csv", "--preset", "hubspot"], ("Deal Name,Deal Stage,Close Date,Amount\nNo company,Closed Won,"
                                                   "2026-10-01,100\nOpen one,Qualified To Buy,,5\n")),
    "a NUL byte: the file is damaged": (["q.csv"], BROKEN),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_big_file_loaded_without_its_indexes_imports_exactly_the_same(scenario, tmp_path, monkeypatch):
    """Files over DEFER_INDEXES_BYTES are loaded with the secondary indexes dropped, then rebuilt: the
    outcome (output, exit code, database, rejects file) must not depend on which way a file went."""
    from conftest import Cli

    from salesflow.app.imports import deals
    from salesflow.store import bulk

    deferred = []
    real = bulk.indexes_deferred
    monkeypatch.setattr(bulk, "indexes_deferred", lambda *a: deferred.append(1) or real(*a))
    args, text = SCENARIOS[scenario]
    results = []
    for way, threshold in (("indexed", 1 << 60), ("deferred", -1)):
        monkeypatch.setattr(deals, "DEFER_INDEXES_BYTES", threshold)
        home = tmp_path / way
        home.mkdir()
        cli = at(Cli(home), "2026-11-23T10:00")
        cli.ok("init")
        source = write(home, args[0], text) if text else EXAMPLES / args[0]
        rejects = home / "rejects.csv"
        run = cli("import", "deals", str(source), *[str(rejects) if a == "REJECTS" else a for a in args[1:]])
        clock_or_random = ('INSERT INTO "_sqlite_migrations"', "INSERT INTO \"meta\" VALUES('database_id'")
        # the rebuilt indexes come later in the schema, and the planner statistics are the deferred way's own
        data = sorted(ln.replace(str(home), "HOME") for ln in cli.dump().splitlines()
                      if not ln.startswith(clock_or_random) and "sqlite_stat" not in ln and "ANALYZE" not in ln)
        results.append((run.code, run.out, run.err.replace(str(home), "HOME"), data,
                        rejects.read_text(encoding="utf-8") if rejects.exists() else None))
    assert deferred == [1], "the second import should have dropped and rebuilt the indexes"
    for here, forked in zip(results[0], results[1]):
        assert here == forked
    assert "Traceback" not in results[1][2]


def test_a_big_file_draws_a_progress_bar_on_a_terminal_stderr_only(tmp_path):
    """Over 4 MB and stderr a terminal: a bar on stderr while the file is read; stdout, a pipe, gets only
    the summary."""
    import os
    import pty
    import subprocess
    import sys

    note = "长备注" * 150
    path = tmp_path / "big.csv"
    path.write_text("客户名称,阶段,备注\n" + "".join(f"客户{i},线索,{note}\n" for i in range(10_000)), encoding="utf-8")
    assert path.stat().st_size > 4 * 1024 * 1024
    env = dict(os.environ, SALESFLOW_DB=str(tmp_path / "sales.db"), SALESFLOW_NOW="2026-11-23T10:00", COLUMNS="80")
    subprocess.run([sys.executable, "-m", "salesflow", "init"], env=env, check=True, capture_output=True)
    leader, follower = pty.openpty()
    drawn: list[bytes] = []

    def read_terminal() -> None:  # all along: a terminal nobody reads would block the writer
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the last writer closed it
                return
            if not chunk:
                return
            drawn.append(chunk)

    import threading

    reader = threading.Thread(target=read_terminal)
    reader.start()
    run = subprocess.run([sys.executable, "-m", "salesflow", "import", "deals", str(path), "--map", "备注=fields.note"],
                         env=env, stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    assert run.returncode == 0
    assert run.stdout.decode().splitlines()[0].startswith("imported big.csv: 10,000 rows → 10,000 created")
    assert "importing" not in run.stdout.decode()
    assert "importing big.csv" in b"".join(drawn).decode(errors="replace")


def test_ids_a_file_brings_out_of_order_are_logged_each_and_undo_removes_exactly_them(book, tmp_path):
    """A salesflow export edited in a spreadsheet: deal ids that skip and go backwards. The change log
    cannot take them as one range; each is logged, and undo removes those deals and nothing else."""
    book.ok("import", "deals", str(EXAMPLES / "hubspot-deals.csv"), "--create-reps")  # deals 1-4, kept
    before = book.dump()
    path = write(tmp_path, "restore.csv", "deal_id,title,customer,stage\n9,A,甲,lead\n6,B,乙,lead\n12,C,丙,qualified\n")
    book.ok("import", "deals", str(path), "--preset", "salesflow")
    assert book.query("SELECT id, title FROM deal WHERE id > 4 ORDER BY id") == [(6, "B"), (9, "A"), (12, "C")]
    command = book.query("SELECT MAX(id) FROM command")[0][0]
    assert book.query("SELECT entity_id FROM change_log WHERE command_id = ? AND entity = 'deal' ORDER BY id",
                      command) == [("9",), ("6",), ("12",)]
    book.ok("undo")
    assert data_tables(book.dump()) == data_tables(before)


def test_a_new_deal_id_with_the_external_id_of_another_deal_is_a_bad_row_not_a_database_error(book, tmp_path):
    """A salesflow export's row whose deal_id is new but whose external_id is another deal's: the unique index
    on external ids failed the whole file with a database error."""
    import csv
    import io

    book.ok("import", "deals", str(EXAMPLES / "pipedrive-deals.csv"), "--create-reps", "--rate", "USD=7.10")
    rows = list(csv.DictReader(io.StringIO(book.ok("export", "deals", "-f", "csv", "--raw").out)))
    clash = dict(rows[1], deal_id="50")  # the external id 102 stays: it is deal 2's
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerow(clash)
    path = write(tmp_path, "clash.csv", out.getvalue())
    before = book.dump()
    refused = book.fails(1, "import", "deals", str(path))
    assert "clash.csv:2: external id 102 is deal #2's, not a new deal 50's; nothing was imported" in refused.err, refused.err
    assert "hint:" in refused.err and "database error" not in refused.err
    assert book.dump() == before
