"""Derived facts (store/facts.py): what is stored always equals a rebuild from the base tables, after every
kind of write; reports read from them give what the per-deal replay gives; doctor finds and repairs a
difference; a database from before them gets them on migration."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import Cli, add_lead, at, connect
from salesflow.store import facts

FIRST_RELEASE = Path(__file__).parent / "fixtures" / "first-release.db"


def differences(db: Path) -> dict[str, list[int]]:
    conn = connect(db)
    try:
        return facts.differences(conn)
    finally:
        conn.close()


def stored(db: Path) -> list[tuple]:
    conn = connect(db)
    try:
        return [tuple(r) for r in conn.execute("SELECT * FROM deal_fact ORDER BY deal_id")] + [
            tuple(r) for r in conn.execute("SELECT * FROM stage_days ORDER BY deal_id, stage")]
    finally:
        conn.close()


# Every kind of write, on deals 1..3 (a command a deal's state refuses is fine: it must change nothing).
WRITES = {
    "lead": lambda cli, d, n: cli("lead", "add", f"客户{d}{n}", "--owner", "wang", "--grade", "ABC"[n % 3],
                                  "--allow-duplicate"),
    "touch": lambda cli, d, n: cli(  "touch", str(d), "--kind", ("call", "visit", "quote", "email")[n % 4],
                                     *(("--note", "谈了报价") if n % 2 else ())),
    "visit-note": lambda cli, d, n: cli("note", str(n % 5 + 1), "补记：客户很满意"),
    "followup": lambda cli, d, n: cli("followup", str(d), f"2026-11-{n % 20 + 3:02d}"),
    "advance": lambda cli, d, n: cli("advance", str(d), ("qualified", "proposal", "negotiation")[n % 3], "--force",
                                     "--reason", "测试"),
    "back": lambda cli, d, n: cli("advance", str(d), "lead", "--reason", "退回"),
    "win": lambda cli, d, n: cli("win", str(d), "--force"),
    "lose": lambda cli, d, n: cli("lose", str(d), "--reason", "price"),
    "reopen": lambda cli, d, n: cli("reopen", str(d), "--force"),
    "set": lambda cli, d, n: cli("set", str(d), f"amount={n + 1}万", f"close=2026-12-{n % 28 + 1:02d}"),
    "grade": lambda cli, d, n: cli("set", str(d), f"grade={'ABC'[n % 3]}"),
    "owner": lambda cli, d, n: cli("set", str(d), f"owner={('wang', 'zhao')[n % 2]}"),
    "did": lambda cli, d, n: cli("did", str(d), "confirm-decision-maker"),
    "undo": lambda cli, d, n: cli("undo"),
}
STEP = st.tuples(st.sampled_from(sorted(WRITES)), st.integers(1, 3), st.integers(0, 40), st.integers(0, 30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=4, max_size=14))
def test_stored_facts_equal_their_rebuild_after_any_sequence_of_writes(tmp_path_factory, steps):
    cli = Cli(tmp_path_factory.mktemp("facts"))
    cli.ok("init")
    cli.ok("rep", "add", "li", "--name", "李娜", "--role", "manager", "--team", "east")
    cli.ok("rep", "add", "wang", "--name", "王伟", "--manager", "li", "--team", "east")
    cli.ok("rep", "add", "zhao", "--name", "赵磊", "--manager", "li", "--team", "east")
    for i in range(3):
        add_lead(at(cli, f"2026-10-0{i + 1}T09:00"), f"公司{i}", phone=f"1390000000{i}")
    for kind, deal, n, minutes in steps:
        cli.now = f"2026-11-{2 + minutes // 3:02d}T{9 + minutes % 9:02d}:{minutes:02d}"
        WRITES[kind](cli, deal, n)
        assert differences(cli.db) == {"deal_fact": [], "stage_days": []}, f"after {kind} {deal}"


def test_an_import_and_its_undo_keep_the_facts(cli: Cli, tmp_path):
    cli.ok("init")
    sheet = tmp_path / "deals.csv"
    sheet.write_text("编号,客户名称,阶段,金额,创建日期,最后跟进时间\nA1,甲公司,线索,1万,2026-10-01,2026-10-20\n"
                     "A2,乙公司,方案报价,2万,2026-10-02,\nA3,丙公司,赢单,3万,2026-09-03,\n", encoding="utf-8")
    cli.ok("import", "deals", str(sheet))
    assert stored(cli.db) and differences(cli.db) == {"deal_fact": [], "stage_days": []}
    cli.ok("undo")
    assert stored(cli.db) == []


def test_a_pipeline_reload_refreshes_its_deals_deadlines(team: Cli, tmp_path):
    deal = add_lead(team)
    team.ok("touch", str(deal), "--kind", "call")
    before = team.query("SELECT due_at FROM deal_fact WHERE deal_id = ?", deal)
    source = team.ok("pipeline", "export", "standard").out
    faster = source.replace("cadence_days = 14", "cadence_days = 2", 1)  # grade B, the lead's
    assert faster != source, "the template's B-grade cadence line moved: update this test"
    (tmp_path / "p.toml").write_text(faster, encoding="utf-8")
    team.ok("pipeline", "load", str(tmp_path / "p.toml"))
    assert team.query("SELECT due_at FROM deal_fact WHERE deal_id = ?", deal) != before
    assert differences(team.db) == {"deal_fact": [], "stage_days": []}


def test_doctor_finds_a_stored_fact_that_differs_and_repair_rebuilds_it(team: Cli):
    deal = add_lead(team)
    team.ok("advance", str(deal), "qualified", "--force", "--reason", "x")
    conn = connect(team.db)
    conn.execute("UPDATE deal_fact SET reached = 0, due_at = NULL WHERE deal_id = ?", (deal,))
    conn.commit()
    conn.close()
    found = team.fails(1, "doctor", "-f", "csv")
    assert f"derived facts,problem,1 deal(s) differ from a rebuild from the base tables: #{deal}" in found.out
    repaired = team.ok("doctor", "--repair", "-f", "csv")
    assert "derived facts rebuilt (1 deal(s) differed)" in repaired.err
    assert "derived facts,ok," in repaired.out


@pytest.mark.sqlite_only  # a file written by the first release
def test_a_first_release_database_gets_its_facts_on_migration(cli: Cli, tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(FIRST_RELEASE, db)
    cli.db = db
    checked = cli("doctor", "-f", "csv")  # migrates (with a backup), then checks the facts against a rebuild
    assert "derived facts,ok," in checked.out, checked.out
    deals = cli.query("SELECT COUNT(*) FROM deal")[0][0]
    assert deals and cli.query("SELECT COUNT(*) FROM deal_fact")[0][0] == deals
    assert differences(db) == {"deal_fact": [], "stage_days": []}


# The reports that read the stored facts give what the per-deal replay gives: the same database, read once
# with the facts and once with them declared stale (as for a --now in the past).
REPORTS = [
    ("silent", "--days", "20", "-f", "csv"), ("silent", "--days", "3", "-f", "csv"), ("stuck", "-f", "csv"),
    ("stuck", "--over", "3", "-f", "csv"), ("health", "-f", "csv"), ("due", "--all", "-f", "csv"),
    ("due", "--all", "--days", "30", "-f", "csv"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("demo"))
    cli.now = "2026-11-23T08:30"
    cli.ok("demo", "--db", str(cli.db))
    return cli


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_a_report_from_the_stored_facts_equals_the_replay(demo: Cli, args, monkeypatch):
    fast = demo.ok(*args).out
    assert len(list(csv.reader(io.StringIO(fast)))) > 1, "the demo gives this report nothing to show"
    monkeypatch.setattr(facts, "current", lambda conn, now: False)
    assert demo.ok(*args).out == fast


def test_a_past_now_reads_the_data_as_it_stood_not_the_stored_facts(demo: Cli):
    conn = connect(demo.db)
    latest = conn.execute("SELECT MAX(latest) FROM deal_fact").fetchone()[0]
    conn.close()
    assert not facts.current(_conn(demo.db), "2026-11-01T00:00:00") and facts.current(_conn(demo.db), latest)


def _conn(db: Path) -> sqlite3.Connection:
    return connect(db)


@pytest.mark.parametrize("by", [None, "rep", "grade", "source", "month", "team", "manager"])
@pytest.mark.parametrize("since", [None, "2026-09-01"])
def test_the_funnel_from_stored_facts_equals_the_replay_of_every_stage_event(demo: Cli, by, since):
    from datetime import datetime
    from itertools import groupby

    from salesflow.app.analytics import Window, _tallies
    from salesflow.domain import funnel as rules
    from salesflow.store.analytics import cohort_events
    from salesflow.store.pipelines import load_pipeline

    conn = _conn(demo.db)
    pipeline = load_pipeline(conn, "standard")
    win = Window(datetime.fromisoformat(since) if since else None, None)
    team, groups = _tallies(conn, pipeline, win, by)
    replay_team, replay = rules.Tally(pipeline), {}
    parse = datetime.fromisoformat
    for _deal, events in groupby(cohort_events(conn, "standard", since and since + "T00:00:00", None), key=lambda r: r["id"]):
        events = list(events)
        r = events[0]
        path = rules.Path(r["id"], "", r["status"], r["stage"], r["amount"], parse(r["created_at"]),
                          parse(r["closed_at"]) if r["closed_at"] else None, r["lost_from_stage"],
                          tuple((e["to_stage"], parse(e["at"])) for e in events))
        replay_team.add(path)
        if by:
            value = {"rep": r["owner"], "grade": r["grade"], "source": r["source"], "month": r["created_at"][:7],
                     "team": r["team"], "manager": r["manager"]}[by]
            replay.setdefault(value or None, rules.Tally(pipeline)).add(path)

    def same(a: rules.Tally, b: rules.Tally, days: bool = True) -> None:
        for x, y in zip(a.rows(), b.rows(), strict=True):
            assert x[:7] == y[:7]
            for got, want in zip(x[7:], y[7:]) if days else ():
                assert (got is None) == (want is None) and (got is None or abs(got - want) < 1e-9)

    same(team, replay_team, days=by is None)  # grouped, the team's row gives only the rates "hollow" compares
    assert set(groups) == set(replay) if by else not groups
    for name in replay:
        same(groups[name], replay[name])


def test_forecast_learning_from_stored_reach_equals_the_replay(demo: Cli):
    from datetime import datetime
    from itertools import groupby

    from salesflow.domain import forecast as rules
    from salesflow.domain.funnel import Path as DealPath
    from salesflow.store.forecast import closed_events, closed_reach
    from salesflow.store.pipelines import load_pipeline

    conn = _conn(demo.db)
    pipeline = load_pipeline(conn, "standard")
    parse = datetime.fromisoformat
    paths = []
    for _deal, events in groupby(closed_events(conn, "standard", "2025-01-01", "2026-11-23"), key=lambda r: r["id"]):
        events = list(events)
        r = events[0]
        paths.append(DealPath(r["id"], "", r["status"], r["stage"], r["amount"], parse(r["created_at"]),
                              parse(r["closed_at"]), r["lost_from_stage"], tuple((e["to_stage"], parse(e["at"])) for e in events)))
    assert len(paths) > 50
    assert rules.from_reach(pipeline, closed_reach(conn, "standard", "2025-01-01", "2026-11-23"), 5) == \
        rules.probabilities(pipeline, paths, 5)


def test_doctor_compares_one_snapshot_while_another_command_writes(team: Cli, monkeypatch):
    deal = add_lead(team)
    real = facts._deadlines
    wrote = []

    def meanwhile(conn, ids):  # another process commits a change between doctor's queries
        if not wrote:
            wrote.append("followup")  # first: the followup's own refresh comes through here too
            team.ok("followup", str(deal), "2026-11-03")  # before its first-touch deadline: due_at moves
        return real(conn, ids)

    monkeypatch.setattr(facts, "_deadlines", meanwhile)
    conn = _conn(team.db)
    assert facts.differences(conn) == {"deal_fact": [], "stage_days": []} and wrote
    conn.close()


@pytest.mark.sqlite_only  # a damaged SQLite file
def test_repair_refuses_a_damaged_file_and_writes_nothing(cli: Cli):
    cli.now = "2026-11-23T08:30"
    cli.ok("demo", "--db", str(cli.db))
    conn = sqlite3.connect(cli.db)
    page = conn.execute("SELECT pageno FROM dbstat WHERE name = 'touch_by_at' AND pagetype = 'leaf' LIMIT 1").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(cli.db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xff" * size)
    before = cli.db.read_bytes()
    done = cli.fails(1, "doctor", "--repair")
    assert done.err.startswith("error: the database is damaged") and "hint: restore the newest backup" in done.err
    assert len(done.err.strip().splitlines()) == 2 and cli.db.read_bytes() == before
