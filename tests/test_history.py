"""Real history in: stage dates from the file, unknown history kept unknown (domain.history and the import)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime as D

from conftest import add_lead
from pathlib import Path

import pytest

from salesflow.app.setup import template_source
from salesflow.domain.history import stage_history
from salesflow.domain.pipeline import parse_pipeline_toml

STANDARD = parse_pipeline_toml(template_source("standard"), "standard")
MAVEN = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven-crm"


def test_a_lost_row_with_a_stage_date_is_lost_from_that_stage():
    h = stage_history(STANDARD, status="lost", stage=None, entered={"qualified": D(2017, 1, 5)},
                      created=D(2017, 1, 5), closed=D(2017, 3, 1))
    assert h.known and h.lost_from == "qualified" and h.entry == "qualified"
    assert h.events == [(None, "lead", D(2017, 1, 5)), ("lead", "qualified", D(2017, 1, 5)),
                        ("qualified", "lost", D(2017, 3, 1))]


def test_a_lost_row_that_says_nothing_of_how_far_it_got_is_unknown():
    h = stage_history(STANDARD, status="lost", stage=None, entered={}, created=D(2017, 1, 5), closed=D(2017, 3, 1))
    assert not h.known and h.lost_from is None
    assert h.events == [(None, "lead", D(2017, 1, 5)), ("lead", "lost", D(2017, 3, 1))]


def test_a_lost_row_at_a_named_stage_is_known_without_dates():  # Pipedrive: a lost deal's stage is where it was lost
    h = stage_history(STANDARD, status="lost", stage="proposal", entered={}, created=D(2017, 1, 5), closed=D(2017, 3, 1))
    assert h.known and h.lost_from == "proposal"
    assert h.events == [(None, "proposal", D(2017, 1, 5)), ("proposal", "lost", D(2017, 3, 1))]


def test_stage_dates_in_pipeline_order_never_go_back_in_time():
    h = stage_history(STANDARD, status="won", stage=None,
                      entered={"qualified": D(2017, 2, 1), "negotiation": D(2017, 1, 20)},
                      created=D(2017, 1, 1), closed=D(2017, 1, 25))
    assert h.events == [(None, "lead", D(2017, 1, 1)), ("lead", "qualified", D(2017, 2, 1)),
                        ("qualified", "negotiation", D(2017, 2, 1)), ("negotiation", "won", D(2017, 2, 1))]
    assert h.known and h.lost_from is None


def test_open_and_won_rows_without_dates_keep_the_simple_history():
    assert stage_history(STANDARD, status="open", stage="proposal", entered={}, created=D(2017, 1, 5),
                         closed=None).events == [(None, "proposal", D(2017, 1, 5))]
    won = stage_history(STANDARD, status="won", stage=None, entered={}, created=D(2017, 1, 5), closed=D(2017, 2, 1))
    assert won.known and won.events == [(None, "lead", D(2017, 1, 5)), ("lead", "won", D(2017, 2, 1))]


SHEET = """id,company,status,stage,engaged,closed,value
A1,甲,Won,,2017-01-05,2017-02-01,100
A2,乙,Lost,,2017-01-06,2017-02-02,0
A3,丙,Lost,,,2017-02-03,0
A4,丁,Open,Engaging,2017-01-08,,50
A5,戊,Open,,,,
"""
MAPS = ["--map", "id=external_id", "--map", "company=customer", "--map", "stage=stage", "--map", "status=stage",
        "--map", "engaged=created_at", "--map", "engaged=entered:qualified", "--map", "closed=closed_at",
        "--map", "value=amount", "--stage-map", "Engaging=qualified", "--stage-map", "Won=won",
        "--stage-map", "Lost=lost", "--stage-map", "Open=lead"]


@pytest.fixture
def history(team, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(SHEET, encoding="utf-8")
    team.now = "2017-03-01T09:00"
    run = team.ok("import", "deals", str(path), *MAPS)
    assert "1 row: lost without saying how far it got: history unknown" in run.err
    return team


def test_one_column_to_two_fields_and_two_columns_to_one(history):
    rows = history.query("SELECT external_id, stage, status, created_at, lost_from_stage, history, close_date"
                         " FROM deal ORDER BY id")
    assert rows == [
        ("A1", "won", "won", "2017-01-05T00:00:00", None, None, None),  # no expected close copied from the close
        ("A2", "lost", "lost", "2017-01-06T00:00:00", "qualified", None, None),
        ("A3", "lost", "lost", "2017-02-03T00:00:00", None, "unknown", None),
        ("A4", "qualified", "open", "2017-01-08T00:00:00", None, None, None),
        ("A5", "lead", "open", "2017-03-01T09:00:00", None, None, None),
    ]
    events = history.query("SELECT d.external_id, e.from_stage, e.to_stage, e.at FROM stage_event e"
                           " JOIN deal d ON d.id = e.deal_id WHERE d.external_id = 'A2' ORDER BY e.id")
    assert events == [("A2", None, "lead", "2017-01-06T00:00:00"), ("A2", "lead", "qualified", "2017-01-06T00:00:00"),
                      ("A2", "qualified", "lost", "2017-02-02T00:00:00")]
    assert history.ok("doctor").code == 0


def test_unknown_history_is_left_out_of_what_reports_learn_and_they_say_so(history):
    stages = list(csv.DictReader(io.StringIO(history.ok("forecast", "--stages", "-f", "csv").out)))
    n = {r["stage"]: (int(r["closed_reached"]), int(r["won_reached"])) for r in stages}
    assert n["lead"] == (2, 1) and n["qualified"] == (2, 1)  # A1 won, A2 lost from qualified; A3 not counted
    run = history.ok("forecast", "--stages", "-f", "csv")
    assert run.err == ("note: 1 closed deal(s) whose stage history or close date is unknown (imported without it)"
                       " are left out of p\n")
    table = history.ok("forecast", "--stages").out
    assert "1 closed deal(s) whose stage history or close date is unknown" in table
    funnel = list(csv.DictReader(io.StringIO(history.ok("funnel", "-f", "csv").out)))
    assert {r["stage"]: int(r["reached"]) for r in funnel}["lead"] == 4  # A3 is not in the stage counts
    assert "are not in the stage counts" in history.ok("funnel").out
    exported = json.loads(history.ok("export", "deals", "-f", "json").out)
    assert [d["history"] for d in exported] == [None, None, "unknown", None, None]
    assert "unknown (imported without how far it got" in history.ok("show", "3").out


MAVEN_MAPS = ["--map", "opportunity_id=external_id", "--map", "sales_agent=owner", "--map", "account=customer",
              "--map", "deal_stage=stage", "--map", "engage_date=created_at", "--map", "engage_date=entered:qualified",
              "--map", "close_date=closed_at", "--map", "close_value=amount", "--map", "product=title",
              "--stage-map", "Prospecting=lead", "--stage-map", "Engaging=qualified", "--stage-map", "Won=won",
              "--stage-map", "Lost=lost"]


@pytest.mark.skipif(not MAVEN.exists(), reason="the shared Maven CRM export is not beside this checkout")
def test_maven_funnel_summary_by_manager_equals_a_recomputation_from_the_raw_files(cli):
    import statistics
    from datetime import date

    cli.ok("init")
    cli.now = "2018-01-01"
    cli.ok("import", "deals", str(MAVEN / "sales_pipeline.csv"), "--create-reps", *MAVEN_MAPS)
    cli.ok("import", "reps", str(MAVEN / "sales_teams.csv"), "--map", "sales_agent=name",
           "--map", "regional_office=team", "--create-reps")
    got = {r["manager"]: r for r in csv.DictReader(io.StringIO(cli.ok("funnel", "--summary", "--by", "manager",
                                                                       "-f", "csv").out))}
    # the recomputation reads only the two raw files
    with open(MAVEN / "sales_teams.csv", encoding="utf-8") as f:
        manager_of = {r["sales_agent"]: r["manager"] for r in csv.DictReader(f)}
    with open(MAVEN / "sales_pipeline.csv", encoding="utf-8") as f:
        deals = list(csv.DictReader(f))
    want: dict[str, dict] = {}
    for d in deals:
        m = want.setdefault(manager_of[d["sales_agent"]], {"deals": 0, "won": 0, "lost": 0, "amount": 0, "cycles": []})
        m["deals"] += 1
        if d["deal_stage"] == "Won":
            m["won"] += 1
            m["amount"] += int(d["close_value"])
            m["cycles"].append((date.fromisoformat(d["close_date"]) - date.fromisoformat(d["engage_date"])).days)
        elif d["deal_stage"] == "Lost":
            m["lost"] += 1
    assert len(got) == len(want) == 6
    for name, m in want.items():
        row = got[name.lower().replace(" ", "-")]
        assert (int(row["deals"]), int(row["won"]), int(row["lost"])) == (m["deals"], m["won"], m["lost"])
        assert float(row["win_rate"]) == round(m["won"] / (m["won"] + m["lost"]), 4)
        assert row["won_amount"] == f"{m['amount']}.00"
        assert float(row["avg_cycle_days"]) == pytest.approx(statistics.fmean(m["cycles"]), abs=0.05)
        assert float(row["median_cycle_days"]) == pytest.approx(statistics.median(m["cycles"]), abs=0.05)


@pytest.mark.skipif(not MAVEN.exists(), reason="the shared Maven CRM export is not beside this checkout")
def test_maven_forecast_learns_a_believable_probability(cli):
    cli.ok("init")
    cli.now = "2018-01-01"
    cli.ok("import", "deals", str(MAVEN / "sales_pipeline.csv"), "--create-reps",
           "--map", "opportunity_id=external_id", "--map", "sales_agent=owner", "--map", "account=customer",
           "--map", "deal_stage=stage", "--map", "engage_date=created_at", "--map", "engage_date=entered:qualified",
           "--map", "close_date=closed_at", "--map", "close_value=amount", "--map", "product=title",
           "--stage-map", "Prospecting=lead", "--stage-map", "Engaging=qualified", "--stage-map", "Won=won",
           "--stage-map", "Lost=lost")
    stages = {r["stage"]: r for r in csv.DictReader(io.StringIO(cli.ok("forecast", "--stages", "-f", "csv").out))}
    # recomputed from the raw file: every closed row was engaged (has an engage_date); won / closed
    with open(MAVEN / "sales_pipeline.csv", encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    closed = [r for r in raw if r["deal_stage"] in ("Won", "Lost") and r["close_date"] >= "2017-01-01"]
    won = [r for r in closed if r["deal_stage"] == "Won"]
    assert all(r["engage_date"] for r in closed)
    assert (int(stages["qualified"]["closed_reached"]), int(stages["qualified"]["won_reached"])) == (len(closed), len(won))
    assert 0.58 <= float(stages["qualified"]["probability"]) <= 0.68
    assert cli.query("SELECT COUNT(*) FROM deal WHERE status = 'won' AND close_date IS NOT NULL") == [(0,)]


REASONS = """id,company,status,reason,closed
R1,甲,lost,Too expensive,2017-02-01
R2,乙,lost,价格太高,2017-02-01
R3,丙,lost,Chose a competitor,2017-02-01
R4,丁,lost,选了别家,2017-02-01
R5,戊,lost,,2017-02-01
R6,己,lost,Other,2017-02-01
R7,庚,lost,客户老板换人了,2017-02-01
"""
REASON_MAPS = ["--map", "id=external_id", "--map", "company=customer", "--map", "status=status",
               "--map", "reason=lost_reason", "--map", "closed=closed_at"]


def test_lost_reasons_are_mapped_to_keys_and_a_missing_one_is_unknown(team, tmp_path):
    path = tmp_path / "reasons.csv"
    path.write_text(REASONS, encoding="utf-8")
    team.now = "2017-03-01T09:00"
    before = team.dump()
    run = team.fails(1, "import", "deals", str(path), *REASON_MAPS)
    assert run.err.splitlines()[0] == "error: reasons.csv: unknown lost reason values; nothing was imported"
    assert "lost reason (1): '客户老板换人了' (1 row)" in run.err
    assert "--reason-map '客户老板换人了=KEY'" in run.err
    assert team.dump() == before
    assert team.fails(2, "import", "deals", str(path), *REASON_MAPS, "--reason-map", "客户老板换人了=boss").err.startswith(
        "error: --reason-map target 'boss' is not a lost reason of pipeline standard")
    run = team.ok("import", "deals", str(path), *REASON_MAPS, "--reason-map", "客户老板换人了=no-decision")
    assert "1 row: lost without a reason: reason 'unknown'" in run.err
    assert team.query("SELECT external_id, lost_reason FROM deal ORDER BY id") == [
        ("R1", "price"), ("R2", "price"), ("R3", "competitor"), ("R4", "competitor"), ("R5", "unknown"),
        ("R6", "other"), ("R7", "no-decision")]
    reasons = json.loads(team.ok("review", "--period", "2017-02", "-f", "json").out)["lost-reasons"]
    counts = {r["lost_reason"]: r["deals"] for r in reasons}
    assert counts["unknown"] == 1 and counts["other"] == 1 and counts["price"] == 2


def test_silence_counts_from_the_latest_activity_and_not_past_now(team, tmp_path):
    path = tmp_path / "silent.csv"
    path.write_text("id,company,status,engaged,closed\nS1,甲,lost,2016-01-05,2017-12-20\nS2,乙,lost,2016-01-05,2017-06-01\n"
                    "S3,丙,open,2017-12-30,\n", encoding="utf-8")
    team.now = "2018-03-01T09:00"
    team.ok("import", "deals", str(path), "--map", "id=external_id", "--map", "company=customer", "--map", "status=status",
            "--map", "engaged=created_at", "--map", "closed=closed_at")
    rows = list(csv.DictReader(io.StringIO(team.ok("silent", "--days", "30", "-f", "csv").out)))
    # 甲's deal closed 2017-12-20: silent since then (71 days), not since its first deal in 2016
    assert {r["customer"]: int(r["days_silent"]) for r in rows} == {"甲": 71, "乙": 273, "丙": 61}
    team.now = "2018-01-01"
    rows = list(csv.DictReader(io.StringIO(team.ok("silent", "--days", "30", "-f", "csv").out)))
    assert {r["customer"]: int(r["days_silent"]) for r in rows} == {"乙": 214}  # 甲 closed 12 days before; 丙 is new


def test_import_reps_matches_by_name_links_managers_in_any_order_and_groups_by_team(team, tmp_path):
    sheet = tmp_path / "team.csv"
    sheet.write_text("姓名,账号,角色,上级,团队\n王伟,,rep,张经理,north\n孙丽,sunli,rep,张经理,north\n张经理,zhangm,manager,,north\n",
                     encoding="utf-8")
    before = team.dump()
    assert "would import team.csv: 3 rows → 2 reps created, 1 updated, 0 unchanged" in team.ok(
        "import", "reps", str(sheet), "--dry-run").out
    assert team.dump() == before
    team.ok("import", "reps", str(sheet))
    assert team.query("SELECT handle, name, manager, team FROM rep ORDER BY handle") == [
        ("li", "李娜", None, "east"), ("sunli", "孙丽", "zhangm", "north"), ("wang", "王伟", "zhangm", "north"),
        ("zhangm", "张经理", None, "north"), ("zhao", "赵磊", "li", "east")]
    add_lead(team)
    rows = list(csv.DictReader(io.StringIO(team.ok("funnel", "--summary", "--by", "team", "-f", "csv").out)))
    assert [(r["team"], r["deals"]) for r in rows] == [("north", "1")]
    rows = list(csv.DictReader(io.StringIO(team.ok("funnel", "--by", "manager", "-f", "csv").out)))
    assert {r["manager"] for r in rows} == {"zhangm"}
    bad = tmp_path / "bad.csv"
    bad.write_text("name,manager\nbob,Nobody Here\n", encoding="utf-8")
    before = team.dump()
    run = team.fails(1, "import", "reps", str(bad))
    assert run.err.splitlines()[0] == "error: bad.csv: unknown managers; nothing was imported"
    assert team.dump() == before


def test_times_the_file_did_not_give_place_a_deal_in_no_period(team, tmp_path):
    path = tmp_path / "undated.csv"
    path.write_text("id,company,status,created,closed\nU1,甲,open,2017-01-05,\nU2,乙,open,,\nU3,丙,won,2017-01-06,\n"
                    "U4,丁,won,2017-01-07,2017-01-20\n", encoding="utf-8")
    team.now = "2017-02-01T09:00"
    run = team.ok("import", "deals", str(path), "--map", "id=external_id", "--map", "company=customer",
                  "--map", "status=status", "--map", "created=created_at", "--map", "closed=closed_at")
    assert "(in no period)" in run.err
    assert team.query("SELECT external_id, guessed FROM deal ORDER BY id") == [
        ("U1", None), ("U2", "created"), ("U3", "closed"), ("U4", None)]
    # all time: every deal; a window: not the one whose created date was guessed (it would fall on "now")
    def reached(*args):
        out = team.ok("funnel", *args, "-f", "csv")
        return {r["stage"]: int(r["reached"]) for r in csv.DictReader(io.StringIO(out.out))}["lead"], out.err
    assert reached() == (4, "")
    assert reached("--since", "2017-01") == (3, "note: 1 deal(s) without a created date (imported without one)"
                                                  " are not in any period\n")
    months = {r["month"] for r in csv.DictReader(io.StringIO(team.ok("funnel", "--by", "month", "-f", "csv").out))}
    assert months == {"", "2017-01"}  # the undated deal is in no month
    # U3 was closed at "now" only because the file gave no close: no period's review counts it
    review = json.loads(team.ok("review", "--period", "2017-02", "-f", "json").out)
    assert review["cycle"] == [] or all(r["deals"] == 0 for r in review["cycle"])
    won = json.loads(team.ok("review", "--period", "2017-01", "-f", "json").out)["cycle"]
    assert [r["deals"] for r in won if r["outcome"] == "won"] == [1]  # U4 only
