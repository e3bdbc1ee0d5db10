"""`salesflow datasette`: a real Datasette server on a database not called salesflow.db; its report
tables equal the CLI's csv for the same database and clock; internal tables hidden; read-only; local."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

import pytest

from conftest import Cli

pytest.importorskip("datasette", reason="pip install '.[web]'")
NOW = "2026-11-23T08:30"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from salesflow.app.demo import build_demo

    home = tmp_path_factory.mktemp("web")
    cli = Cli(home)
    cli.db = home / "team-east.db"  # not "salesflow": the metadata must follow the file's name
    cli.now = NOW
    build_demo(cli.db, datetime.fromisoformat(NOW), seed=42)
    cli.ok("target", "set", "2026-11", "150万")
    port = free_port()
    env = dict(os.environ, SALESFLOW_DB=str(cli.db), SALESFLOW_NOW=NOW, SALESFLOW_LANG="en")
    proc = subprocess.Popen([sys.executable, "-m", "salesflow", "datasette", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"datasette exited: {proc.stderr.read()}")
            time.sleep(0.2)
    yield cli, base, proc
    proc.terminate()  # passed on to Datasette; the snapshot is removed
    assert proc.wait(timeout=20) == 0


def get(base: str, path: str):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def same(csv_value: str, value) -> bool:
    if value is None:
        return csv_value == ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return csv_value != "" and abs(float(csv_value) - float(value)) < 1e-9
    if isinstance(value, bool):
        return csv_value == ("true" if value else "false")
    return csv_value == str(value)


@pytest.mark.parametrize("table, args", [
    ("funnel_by_rep", ("funnel", "--by", "rep")),
    ("funnel_summary_by_rep", ("funnel", "--by", "rep", "--summary")),
    ("due_today", ("due", "--all")),
    ("stuck", ("stuck",)),
    ("board", ("board",)),
    ("dashboard", ("dashboard",)),
    ("deals", ("export", "deals")),
])
def test_report_tables_equal_the_clis_csv(server, table, args):
    cli, base, _proc = server
    expected = list(csv.DictReader(io.StringIO(cli.ok(*args, "-f", "csv").out)))
    got = get(base, f"/salesflow_reports/{table}.json?_shape=array&_size=max&_sort=rowid")
    assert len(got) == len(expected)
    for want, row in zip(expected, got):
        bad = {k: (v, row.get(k)) for k, v in want.items() if not same(v, row.get(k))}
        assert bad == {}, (table, want)


def test_metadata_follows_the_file_name_hides_internal_tables_and_serves_read_only(server):
    cli, base, _proc = server
    meta = get(base, "/-/metadata.json")
    assert set(meta["databases"]) == {"team-east", "salesflow_reports"}
    tables = {t["name"]: t for t in get(base, "/team-east.json")["tables"]}
    assert tables["change_log"]["hidden"] and tables["command"]["hidden"] and not tables["deal"]["hidden"]
    databases = {d["name"]: d for d in get(base, "/-/databases.json")}
    assert not databases["salesflow_reports"]["is_mutable"]  # the snapshot; the live file is read with SELECTs only
    before = cli.query("SELECT COUNT(*) FROM deal")
    with pytest.raises(urllib.error.HTTPError):
        get(base, "/team-east.json?sql=" + urllib.parse.quote("DELETE FROM deal"))
    assert cli.query("SELECT COUNT(*) FROM deal") == before
    queries = meta["databases"]["salesflow_reports"]["queries"]
    assert set(queries) == {"due_today_for", "funnel_by_rep", "stuck_deals", "board_of", "dashboard_now"}
    one = get(base, "/salesflow_reports/due_today_for.json?_shape=array&rep=wang")
    assert one and {r["owner"] for r in one} == {"wang"}
    deals = get(base, "/salesflow_reports/deals.json?_shape=array&_size=3")
    assert {"stage_name", "stage_label_zh"} <= set(deals[0])


def test_the_live_database_keeps_working_while_reps_write(server):
    cli, base, _proc = server
    count = get(base, "/team-east.json?sql=" + urllib.parse.quote("SELECT COUNT(*) AS n FROM deal") + "&_shape=array")[0]["n"]
    for i in range(20):
        cli.ok("lead", "add", f"Live {i}", "--contact", "c", "--email", f"live{i}@x.cn", "--source", "web")
    rows = get(base, "/team-east.json?sql=" + urllib.parse.quote("SELECT COUNT(*) AS n FROM deal") + "&_shape=array")
    assert rows[0]["n"] == count + 20
    assert get(base, "/team-east/deal.json?_sort_desc=id&_size=1&_shape=array")[0]["title"] == "Live 19"


@pytest.mark.sqlite_only  # Datasette serves an SQLite file
def test_names_datasette_cannot_serve_are_refused(team, tmp_path):
    for name in ("a#b.db", "a?b.db", "a%41b.db", "salesflow_reports.db", "_internal.db"):
        path = tmp_path / name
        path.write_bytes(team.db.read_bytes())
        run = team.fails(1, "--db", str(path), "datasette")
        assert "Datasette" in run.err, run.err
    assert "not after --" in team.fails(2, "datasette", "--", "--port", "9").err


def test_it_listens_on_localhost_only(server):
    _cli, base, _proc = server
    port = int(base.rsplit(":", 1)[1])
    addresses = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
    for address in addresses:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((address, port)) != 0


@pytest.mark.sqlite_only  # Datasette serves an SQLite file
def test_without_datasette_it_names_the_extra(team, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    run = team.fails(1, "datasette")
    assert "Datasette is not installed" in run.err and "salesflow[web]" in run.err
    assert "--port 0 must be from 1 to 65535" in team.fails(2, "datasette", "--port", "0").err
