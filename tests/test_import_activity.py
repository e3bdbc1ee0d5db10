"""After an import: last activity as a touch, one review for a deal without any, `--now` as an "as of",
one currency per database, and grouping by team or manager (the commands end to end)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import add_lead


def rows(run) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run.out)))


SHEET = """id,company,owner,stage,created,last activity
L1,甲,wang,proposal,2025-01-10,2026-11-20
L2,乙,wang,proposal,2025-01-10,
L3,丙,wang,negotiation,2025-01-10,2026-09-01
"""
SHEET_MAPS = ["--map", "id=external_id", "--map", "company=customer", "--map", "owner=owner", "--map", "stage=stage",
              "--map", "created=created_at", "--map", "last activity=last_activity"]


@pytest.fixture
def imported(team, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(SHEET, encoding="utf-8")
    team.now = "2026-11-23T09:00"
    team.ok("import", "deals", str(path), *SHEET_MAPS)
    return team


def test_last_activity_counts_as_a_touch_and_a_deal_without_any_is_due_once_for_review(imported):
    due = {r["deal_id"]: r for r in rows(imported.ok("due", "--as", "wang", "-f", "csv", "--days", "30"))}
    # L1: touched three days ago: its next touch is the B-grade cadence from then, not "first call" 22 months late
    assert "first-touch" not in due.get("1", {}).get("reasons", "")
    # L2: the file gives no activity: one deadline, the import, in words that say so
    assert due["2"]["reasons"] == "review" and due["2"]["days_overdue"] == "0"
    assert due["2"]["next_action"] == "imported without activity — review it (imported 2026-11-23)"
    # L3: last activity 2026-09-01: cadence and stage idle run from then (overdue, but not by 22 months)
    assert "first-touch" not in due["3"]["reasons"] and int(due["3"]["days_overdue"]) < 90
    # a week later the review is still owed, and a touch ends it: the usual rules take over
    imported.now = "2026-11-30T09:00"
    assert {r["deal_id"]: r["reasons"] for r in rows(imported.ok("due", "--as", "wang", "-f", "csv"))}["2"] == "review"
    imported.ok("touch", "2", "--kind", "call", "--note", "reviewed: still interested")
    after = {r["deal_id"]: r["reasons"] for r in rows(imported.ok("due", "--as", "wang", "-f", "csv", "--days", "60"))}
    assert after.get("2", "") != "review"
    # sweep does not escalate imported deals as untouched leads
    assert "escalat" not in imported.ok("sweep").out


def test_now_before_the_latest_data_is_an_as_of(team):
    team.now = "2026-10-01T09:00"
    deal = add_lead(team)
    team.now = "2026-10-20T09:00"
    team.ok("advance", str(deal), "qualified", "--force", "--reason", "test")
    team.now = "2026-11-20T09:00"
    team.ok("touch", str(deal), "--kind", "call")
    # as of 2026-10-10 the deal was a lead, untouched, and wang had made no forward move yet
    team.now = "2026-10-10T09:00"
    health = {r["rep"]: r for r in rows(team.ok("health", "-f", "csv"))}
    assert health["wang"]["days_since_progress"] == ""  # not -10: the move came later
    stuck = rows(team.ok("stuck", "--over", "0", "-f", "csv"))
    assert [(r["deal_id"], r["stage"]) for r in stuck] == [(str(deal), "lead")]
    due = rows(team.ok("due", "--as", "wang", "-f", "csv", "--days", "30"))
    assert [(r["deal_id"], r["stage"], r["reasons"].split(";")[0]) for r in due] == [(str(deal), "lead", "first-touch")]
    # and today's view counts everything
    team.now = "2026-11-23T09:00"
    health = {r["rep"]: r for r in rows(team.ok("health", "-f", "csv"))}
    assert health["wang"]["days_since_progress"] == "34"
    assert [r["stage"] for r in rows(team.ok("stuck", "--over", "0", "-f", "csv"))] == ["qualified"]


def test_a_won_deal_is_open_as_of_a_day_before_it_was_won(team):
    team.now = "2026-10-01T09:00"
    deal = add_lead(team)
    team.now = "2026-11-01T09:00"
    team.ok("set", str(deal), "amount=1万")
    team.ok("win", str(deal), "--force", "--reason", "signed early")
    team.now = "2026-10-15T09:00"
    assert [r["deal_id"] for r in rows(team.ok("stuck", "--over", "0", "-f", "csv"))] == [str(deal)]
    team.now = "2026-11-02T09:00"
    assert rows(team.ok("stuck", "--over", "0", "-f", "csv")) == []


def test_one_currency_per_database_and_amounts_in_others_need_a_rate(cli, tmp_path):
    cli.now = "2026-11-23T09:00"
    assert "is not an ISO 4217 currency code" in cli.fails(1, "init", "--currency", "DOLLARS").err
    if isinstance(cli.db, str):  # PostgreSQL: not even the schema was made
        import psycopg

        with psycopg.connect(cli.db) as conn:
            assert conn.execute("SELECT to_regclass('meta')").fetchone() == (None,)
    else:
        assert not cli.db.exists() or cli.query("SELECT COUNT(*) FROM meta WHERE key = 'currency'") == [(0,)]
    assert "amounts in USD" in cli.ok("init", "--currency", "usd").err
    assert cli.query("SELECT value FROM meta WHERE key = 'currency'") == [("USD",)]
    assert "already counts money in USD" in cli.fails(1, "init", "--template", "saas", "--currency", "CNY").err
    # the database's own currency, however it is written
    cli.ok("rep", "add", "wang", "--name", "王伟")
    one = add_lead(cli, "Acme", "--amount", "$12k")
    assert cli.query("SELECT amount, fields FROM deal WHERE id = ?", one) == [(1_200_000, "{}")]
    # another currency: refused until a rate says what it is worth, then converted and the original kept
    before = cli.dump()
    run = cli.fails(1, "lead", "add", "Globex", "--amount", "¥100,000", "--owner", "wang")
    assert run.err.splitlines() == ["error: amount '¥100,000' is in CNY, but this database counts in USD",
                                    "hint: set a rate: salesflow config set rate.CNY RATE (1 CNY = RATE USD), or write"
                                    " the amount in USD"]
    assert cli.dump() == before
    assert "rate '-1' for CNY is not a rate" in cli.fails(1, "config", "set", "rate.CNY", "--", "-1").err
    assert "own currency" in cli.fails(1, "config", "set", "rate.usd", "1").err
    cli.ok("config", "set", "rate.cny", "0.14")
    two = add_lead(cli, "Globex", "--amount", "¥100,000", phone="13900139000")
    assert cli.query("SELECT amount, fields FROM deal WHERE id = ?", two) == [
        (1_400_000, '{"amount_original": "100000.00", "currency": "CNY"}')]
    cli.ok("set", str(two), "amount=15000")  # in USD now: the original no longer holds
    assert cli.query("SELECT amount, fields FROM deal WHERE id = ?", two) == [(1_500_000, "{}")]
    shown = rows(cli.ok("config", "show", "-f", "csv"))
    assert {"key": "rate.CNY", "value": "0.14", "default": ""} in shown
    # an import: the currency column, the mark in the amount, and --rate
    path = tmp_path / "eur.csv"
    path.write_text("id,company,amount,currency\nE1,Initech,1000,EUR\nE2,Hooli,\"$2,000\",\nE3,Umbrella,€300,\n",
                    encoding="utf-8")
    maps = ["--map", "id=external_id", "--map", "company=customer", "--map", "amount=amount", "--map", "currency=currency"]
    run = cli.fails(1, "import", "deals", str(path), *maps)
    assert "currency (1): 'EUR' (2 rows)" in run.err and "--rate 'EUR=RATE'" in run.err
    assert "is not an ISO 4217" in cli.fails(1, "import", "deals", str(path), *maps, "--rate", "EURO=1.1").err
    cli.ok("import", "deals", str(path), *maps, "--rate", "EUR=1.08")
    assert cli.query("SELECT external_id, amount, fields FROM deal WHERE external_id LIKE 'E%' ORDER BY id") == [
        ("E1", 108_000, '{"amount_original": "1000.00", "currency": "EUR"}'), ("E2", 200_000, "{}"),
        ("E3", 32_400, '{"amount_original": "300.00", "currency": "EUR"}')]


def test_forecast_health_and_review_by_team_and_manager(team):
    team.ok("rep", "add", "chen", "--name", "陈晨", "--role", "manager", "--team", "west")
    team.ok("rep", "add", "sun", "--name", "孙丽", "--manager", "chen", "--team", "west")
    team.now = "2026-10-01T09:00"
    a = add_lead(team, "甲", "--amount", "10万", "--close", "2026-12-20")
    b = add_lead(team, "乙", "--amount", "20万", "--close", "2026-12-20", "--owner", "sun", phone="13900139000")
    c = add_lead(team, "丙", "--amount", "5万", "--close", "2026-12-20", "--owner", "zhao", phone="13700137000")
    team.now = "2026-10-20T09:00"
    team.ok("win", str(a), "--force", "--reason", "signed early")
    team.ok("lose", str(b), "--reason", "price")
    d = add_lead(team, "丁", "--amount", "7万", "--close", "2026-12-20", "--owner", "sun", phone="13600136000")
    team.now = "2026-11-23T09:00"
    by_team = rows(team.ok("forecast", "--by", "team", "-f", "csv"))
    assert [(r["month"], r["team"], r["deals"], r["amount"]) for r in by_team] == [
        ("2026-12", "east", "1", "50000.00"), ("2026-12", "west", "1", "70000.00")]
    by_manager = rows(team.ok("forecast", "--by", "manager", "-f", "csv"))
    assert [(r["manager"], r["deals"]) for r in by_manager] == [("chen", "1"), ("li", "1")]
    assert "--by 'stage' is not a grouping for forecast" in team.fails(2, "forecast", "--by", "stage").err
    health = rows(team.ok("health", "--by", "team", "-f", "csv"))
    assert [r["team"] for r in health] == ["east", "east", "west"]  # each team together (its reds first)
    assert {r["rep"] for r in health[:2]} == {"wang", "zhao"} and health[2]["rep"] == "sun"
    assert list(health[0])[:3] == ["team", "rep", "status"]
    reps = json.loads(team.ok("review", "--period", "2026-10", "--by", "manager", "-f", "json").out)["reps"]
    assert [(r["manager"], r["won"], r["lost"]) for r in reps] == [("chen", 0, 1), ("li", 1, 0)]
    teams = json.loads(team.ok("review", "--period", "2026-10", "--by", "team", "-f", "json").out)["reps"]
    assert [(t["team"], t["largest_won"], t["largest_lost"]) for t in teams] == [("east", a, None), ("west", None, b)]
    assert c and d


def test_currency_edges_a_header_unit_two_marks_names_and_codes(cli, tmp_path):
    cli.now = "2026-11-23T09:00"
    cli.ok("init", "--currency", "USD")
    sheet = tmp_path / "zh.csv"
    sheet.write_text("编号,客户名称,金额(万元)\nZ1,甲,12.5\n", encoding="utf-8")
    # 万元 is yuan: in a USD database it needs a rate like any other foreign amount
    assert "currency (1): 'CNY' (1 row)" in cli.fails(1, "import", "deals", str(sheet)).err
    cli.ok("import", "deals", str(sheet), "--rate", "CNY=0.14")
    assert cli.query("SELECT amount, fields FROM deal") == [
        (1_750_000, '{"amount_original": "125000.00", "currency": "CNY"}')]
    double = tmp_path / "double.csv"
    double.write_text("编号,客户名称,金额(万元)\nZ2,乙,12.5万\n", encoding="utf-8")
    assert "has a unit of its own" in cli.fails(1, "import", "deals", str(double), "--rate", "CNY=0.14").err
    marks = tmp_path / "marks.csv"
    marks.write_text("id,company,amount,currency\nM1,丙,$12元,\nM2,丁,100,XYZ\nM3,戊,100,人民币\n", encoding="utf-8")
    maps = ["--map", "id=external_id", "--map", "company=customer", "--map", "amount=amount", "--map", "currency=currency",
            "--rate", "CNY=0.14"]
    rejects = tmp_path / "rejects.csv"
    before = cli.dump()
    run = cli.ok("import", "deals", str(marks), *maps, "--rejects", str(rejects), "--dry-run")
    assert not rejects.exists() and cli.dump() == before  # a dry run writes nothing, rejects file included
    assert "2 rejected" in run.out
    cli.ok("import", "deals", str(marks), *maps, "--rejects", str(rejects))
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8")))]
    assert reasons == ["amount '$12元' names two currencies (CNY, USD)", "currency 'XYZ' is not a currency code"]
    assert cli.query("SELECT amount FROM deal WHERE external_id = 'M3'") == [(1_400,)]  # 100 人民币 × 0.14
    assert "names two currencies" in cli.fails(1, "lead", "add", "X", "--amount", "$12元").err


def test_a_reimport_keeps_the_process_fields_set_since(team, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,company,amount,currency\nR1,甲,100,USD\n", encoding="utf-8")
    maps = ["--map", "id=external_id", "--map", "company=customer", "--map", "amount=amount", "--map", "currency=currency"]
    team.now = "2026-11-23T09:00"
    team.ok("import", "deals", str(path), *maps, "--rate", "USD=7")
    team.ok("set", "1", "budget=50万")
    team.ok("import", "deals", str(path), *maps, "--rate", "USD=7.2")
    assert team.query("SELECT amount, fields FROM deal") == [
        (72_000, '{"amount_original": "100.00", "budget": "50万", "currency": "USD"}')]
    path.write_text("id,company,amount,currency\nR1,甲,700,CNY\n", encoding="utf-8")
    team.ok("import", "deals", str(path), *maps)
    assert team.query("SELECT amount, fields FROM deal") == [(70_000, '{"budget": "50万"}')]


def test_before_the_import_an_imported_deal_is_not_yet_due_and_activity_before_creation_is_clamped(team, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,company,owner,created,last\nA1,甲,wang,2026-10-01,2025-01-01\nA2,乙,wang,2026-10-01,\n",
                    encoding="utf-8")
    team.now = "2026-11-23T09:00"
    run = team.ok("import", "deals", str(path), "--map", "id=external_id", "--map", "company=customer",
                  "--map", "owner=owner", "--map", "created=created_at", "--map", "last=last_activity")
    assert "1 row: last activity before the deal was created" in run.err
    assert team.query("SELECT external_id, last_activity_at FROM deal ORDER BY id") == [
        ("A1", "2026-10-01T00:00:00"), ("A2", None)]
    team.now = "2026-11-20T09:00"  # before the import: the file's deal without activity is not flooded in
    assert [r["deal_id"] for r in rows(team.ok("due", "--as", "wang", "-f", "csv"))] == ["1"]


def test_a_teams_forecast_target_is_its_reps_targets_added_up(team):
    team.ok("rep", "add", "chen", "--name", "陈晨", "--role", "manager", "--team", "west")
    team.ok("rep", "add", "sun", "--name", "孙丽", "--manager", "chen", "--team", "west")
    team.now = "2026-11-02T09:00"
    add_lead(team, "甲", "--amount", "10万", "--close", "2026-11-20")
    team.ok("target", "set", "2026-11", "30万", "--rep", "wang")
    team.ok("target", "set", "2026-11", "20万", "--rep", "zhao")
    team.ok("target", "set", "2026-11", "5万", "--rep", "sun")
    team.ok("target", "set", "2026-11", "100万")  # the whole team's: not any one group's
    by_team = {r["team"]: r for r in rows(team.ok("forecast", "--by", "team", "-f", "csv"))}
    table = team.ok("forecast", "--by", "team", env={"COLUMNS": "200"}).out
    east = next(line for line in table.splitlines() if line.startswith("2026-11") and "east" in line)
    assert "500,000" in east  # wang's 300,000 + zhao's 200,000
    assert set(by_team) == {"east"}  # west has no open deal this month
