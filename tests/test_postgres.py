"""The PostgreSQL backend: choosing it from --db, its schema against SQLite's, and what only it has.

The rest of the suite runs on PostgreSQL too when SALESFLOW_TEST_PG is set (conftest.BACKEND); the tests
here that need a server skip without one.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import TEST_PG, Cli, drop_pg_database, new_pg_database
from salesflow.store.schema import NAMES

needs_pg = pytest.mark.skipif(not TEST_PG, reason="no PostgreSQL server: set SALESFLOW_TEST_PG (.ci/postgres starts one)")


@pytest.fixture
def pg_url(request):
    url = new_pg_database(request.node.name)
    yield url
    drop_pg_database(url)


# --- choosing the backend ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["mysql://db.internal/sales", "sqlite:///tmp/x.db", "https://crm.example.com/db",
                                 "MySQL://u:secret@h/x"])
def test_a_url_of_another_kind_is_refused_and_creates_nothing(cli: Cli, tmp_path, url, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli.fails(2, "init", env={"SALESFLOW_DB": url})
    assert "opens an SQLite file or a PostgreSQL database" in run.err and "hint:" in run.err
    assert "secret" not in run.err
    assert list(tmp_path.iterdir()) == [], "nothing may be created for a URL salesflow cannot serve"
    cli.fails(2, "--db", url, "deals")


def test_without_psycopg_a_postgresql_url_names_the_extra_and_creates_nothing(tmp_path):
    # a Python where psycopg cannot be imported: a module finder that refuses it
    code = ("import sys\n"
            "class No:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'psycopg': raise ImportError('no psycopg')\n"
            "sys.meta_path.insert(0, No())\n"
            "from salesflow.cli import main\n"
            "sys.argv = ['salesflow', '--db', 'postgresql://localhost/sales', 'init']\n"
            "main()\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env=dict(os.environ, SALESFLOW_DB=""))
    assert run.returncode == 1, run.stderr
    assert "psycopg is not installed" in run.stderr and "salesflow[postgres]" in run.stderr
    assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_sqlite_commands_never_import_psycopg(tmp_path):
    db = tmp_path / "s.db"
    code = ("import sys\n"
            "from salesflow.cli import main\n"
            f"for args in (['init'], ['lead', 'add', 'ACME', '--contact', 'x', '--phone', '13800138000', '--source', 'expo'], ['due', '--all'], ['funnel']):\n"
            f"    sys.argv = ['salesflow', '--db', {str(db)!r}, '--as', 'me', *args]\n"
            f"    try:\n"
            f"        main()\n"
            f"    except SystemExit as exc:\n"
            f"        assert exc.code in (0, None), (args, exc.code)\n"
            "print(sorted(m for m in sys.modules if m.startswith('psycopg')))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, SALESFLOW_NOW="2026-11-02T09:00"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_a_password_in_the_url_is_never_printed(cli: Cli):
    run = cli("--db", "postgresql://bob:hunter2@127.0.0.1:1/sales", "deals")
    assert run.code != 0 and "hunter2" not in run.err + run.out
    assert "***" in run.err or "psycopg is not installed" in run.err


# --- the schema ----------------------------------------------------------------------------------------


def _sqlite_schema(path) -> dict:
    """table -> columns {name: (type, NOT NULL, in the primary key)}, foreign keys, indexes {columns: unique}
    (the primary key's own index left out: SQLite has none for a rowid key); and the views."""
    import sqlite3

    conn = sqlite3.connect(path)
    kinds = {"TEXT": "text", "INTEGER": "integer", "REAL": "real"}
    tables = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                                " AND name != '_sqlite_migrations'"):
        info = conn.execute(f"PRAGMA table_info({name})").fetchall()
        # a primary key's columns are NOT NULL in PostgreSQL; in SQLite only the rowid key is (say it)
        columns = {r[1]: (kinds[r[2]], bool(r[3]) or r[5] > 0, r[5] > 0) for r in info}
        foreign = sorted((r[3], r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({name})"))
        indexes = {tuple(r[2] for r in conn.execute(f"PRAGMA index_info({i[1]})")): bool(i[2])
                   for i in conn.execute(f"PRAGMA index_list({name})") if i[3] != "pk"}
        tables[name] = {"columns": columns, "foreign": foreign, "indexes": indexes}
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    conn.close()
    return {"tables": tables, "views": views}


def _pg_schema(url) -> dict:
    from salesflow.store import pg

    conn = pg.connect(url)
    kinds = {"text": "text", "bigint": "integer", "double precision": "real"}
    tables = {}
    names = [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' AND table_name != 'schema_migrations'")]
    for name in names:
        pk = {r[0] for r in conn.execute(
            """SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
               WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary""", (name,))}
        columns = {r[0]: (kinds[r[1]], r[2] == "NO", r[0] in pk) for r in conn.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?", (name,))}
        foreign = sorted((r[0], r[1], r[2]) for r in conn.execute(
            """SELECT a.attname, cl.relname, af.attname
               FROM pg_constraint c
               JOIN pg_class cl ON cl.oid = c.confrelid
               JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, fcol) ON true
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
               JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = k.fcol
               WHERE c.contype = 'f' AND c.conrelid = CAST(? AS regclass)""", (name,)))
        indexes = {tuple(r[1]): bool(r[0]) for r in conn.execute(
            """SELECT i.indisunique, ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                                           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)
               FROM pg_index i WHERE i.indrelid = CAST(? AS regclass) AND NOT i.indisprimary""", (name,))}
        tables[name] = {"columns": columns, "foreign": foreign, "indexes": indexes}
    views = {r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()")}
    conn.close()
    return {"tables": tables, "views": views}


@needs_pg
def test_both_dialects_end_at_the_same_logical_schema(tmp_path, pg_url):
    """Tables, columns (type, NOT NULL, primary key), foreign keys, unique and plain indexes, views."""
    from salesflow.store import pg
    from salesflow.store.db import open_db

    path = tmp_path / "s.db"
    open_db(path, create=True).close()
    pg.connect(pg_url, create=True).close()
    assert _sqlite_schema(path) == _pg_schema(pg_url)


def test_the_schema_comparison_sees_a_difference(tmp_path):
    """The comparison can fail: an index or a NOT NULL more on one side is a difference."""
    import sqlite3

    from salesflow.store.db import open_db

    path = tmp_path / "s.db"
    open_db(path, create=True).close()
    before = _sqlite_schema(path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE INDEX extra ON deal(title)")
    conn.commit()
    conn.close()
    assert _sqlite_schema(path) != before


@needs_pg
def test_init_on_postgresql_creates_the_schema_once_and_refuses_a_foreign_database(pg_url):
    cli = Cli(None, pg_url)
    run = cli.ok("init")
    assert "with pipeline standard" in run.err and "***" not in run.err
    cli.fails(1, "init")  # already initialised with that pipeline
    cli.ok("init", "--template", "saas")
    from salesflow.store.schema import NAMES

    assert [r[0] for r in cli.query("SELECT name FROM schema_migrations ORDER BY id")] == NAMES


@needs_pg
def test_a_database_with_other_tables_is_refused(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    cli = Cli(None, pg_url)
    run = cli.fails(1, "init")
    assert "not a salesflow database" in run.err


# --- who sees what -------------------------------------------------------------------------------------


def _as(url: str, role: str) -> str:
    """The same database, logged in as `role` (the test server trusts local connections: no password)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.split("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, ""))


@pytest.fixture
def shared(pg_url):
    """A team on PostgreSQL: manager li over wang and zhao (team east), chen in team west, boss an admin;
    one deal each for wang, zhao and chen, and an unassigned lead. Set up by the database's owner."""
    owner = Cli(None, pg_url)
    owner.ok("init")
    owner.ok("rep", "add", "li", "--name", "李娜", "--role", "manager", "--team", "east", "--login")
    owner.ok("rep", "add", "wang", "--name", "王伟", "--manager", "li", "--team", "east", "--login")
    owner.ok("rep", "add", "zhao", "--name", "赵磊", "--manager", "li", "--team", "east", "--login")
    owner.ok("rep", "add", "chen", "--name", "陈晨", "--team", "west", "--login")
    owner.ok("rep", "add", "boss", "--role", "admin", "--login")
    for i, (company, rep) in enumerate((("华为", "wang"), ("中兴", "zhao"), ("Acme West", "chen"), ("无主", None))):
        owner.ok("lead", "add", company, "--contact", "张三", "--phone", f"1380013800{i}", "--source", "expo",
                 *(["--owner", rep] if rep else []))
    owner.ok("touch", "2", "--kind", "call", "--note", "zhao's call")
    return {role: Cli(None, _as(pg_url, role)) for role in ("wang", "li", "boss", "chen")} | {"owner": owner}


def _deals(cli: Cli) -> list[tuple[int, str]]:
    import csv
    import io

    rows = csv.DictReader(io.StringIO(cli.ok("deals", "--status", "all", "-f", "csv").out))
    return [(int(r["deal_id"]), r["owner"]) for r in rows]


def _funnel_reps(cli: Cli) -> set[str]:
    import csv
    import io

    return {r["rep"] for r in csv.DictReader(io.StringIO(cli.ok("funnel", "--by", "rep", "-f", "csv").out))}


@needs_pg
def test_a_rep_sees_and_changes_their_own_deals_and_the_unassigned_leads_only(shared):
    wang = shared["wang"]
    assert _deals(wang) == [(1, "wang"), (4, "")]
    assert _funnel_reps(wang) == {"", "wang"}
    wang.fails(1, "touch", "2", "--kind", "call")  # zhao's deal: there is no such deal for wang
    refused = wang.fails(1, "set", "1", "owner=zhao")  # giving it away: the policy refuses the new row
    assert "may not do that" in refused.err and "Traceback" not in refused.err
    wang.ok("touch", "1", "--kind", "call", "--note", "mine")
    wang.ok("set", "4", "owner=wang")  # claiming an unassigned lead
    assert _deals(wang) == [(1, "wang"), (4, "wang")]
    assert "--as" in wang.fails(1, "--as", "zhao", "due").err  # a role acts as itself


@needs_pg
def test_a_manager_sees_their_reps_and_team_and_an_admin_everything(shared):
    assert _deals(shared["li"]) == [(1, "wang"), (2, "zhao"), (4, "")]
    assert _funnel_reps(shared["li"]) == {"", "wang", "zhao"}
    assert _deals(shared["chen"]) == [(3, "chen"), (4, "")]
    assert _deals(shared["boss"]) == [(1, "wang"), (2, "zhao"), (3, "chen"), (4, "")]
    assert _funnel_reps(shared["boss"]) == {"", "wang", "zhao", "chen"}


@needs_pg
def test_raw_sql_as_a_rep_cannot_read_or_change_another_reps_deal(shared):
    """What psql would do: the database itself enforces it, not the CLI."""
    import psycopg

    with psycopg.connect(_as(shared["owner"].db, "wang"), autocommit=True) as conn:
        assert conn.execute("SELECT id FROM deal ORDER BY id").fetchall() == [(1,), (4,)]
        assert conn.execute("UPDATE deal SET amount = 1 WHERE id = 2").rowcount == 0
        assert conn.execute("DELETE FROM touch WHERE deal_id = 2").rowcount == 0
        assert conn.execute("SELECT count(*) FROM touch WHERE deal_id = 2").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM stage_event WHERE deal_id = 2").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM deal_fact WHERE deal_id = 2").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM change_log WHERE entity = 'deal' AND entity_id = '2'").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE deal SET owner = 'wang' WHERE id = 1 RETURNING id; INSERT INTO deal (title, pipeline, stage,"
                         " owner, created_at, stage_entered_at) VALUES ('x', 'standard', 'lead', 'zhao', '2026-11-02', '2026-11-02')")
        assert conn.execute("UPDATE pipeline SET name = 'mine'").rowcount == 0  # an admin's to change
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO meta VALUES ('x', 'y')")
    assert shared["owner"].query("SELECT amount FROM deal WHERE id = 2") == [(0,)]
    assert shared["owner"].query("SELECT count(*) FROM touch WHERE deal_id = 2") == [(1,)]


@needs_pg
def test_doctor_on_postgresql_checks_row_security_and_skips_the_file_checks(shared):
    import psycopg

    out = shared["owner"].ok("doctor", "-f", "csv").out
    assert "file checks,skipped," in out and "row security,ok," in out and f"schema,ok,{NAMES[-1]}" in out
    with psycopg.connect(shared["owner"].db, autocommit=True) as conn:
        conn.execute("ALTER TABLE touch DISABLE ROW LEVEL SECURITY")
    found = shared["owner"].fails(1, "doctor", "-f", "csv").out
    assert "row security,problem,not enabled on: touch" in found


@pytest.mark.sqlite_only
def test_login_on_an_sqlite_file_is_refused_and_changes_nothing(team: Cli):
    before = team.dump()
    run = team.fails(1, "rep", "add", "qian", "--login")
    assert "--login is for a PostgreSQL database" in run.err
    team.fails(1, "rep", "set", "wang", "--login")
    assert team.dump() == before


# --- copy ----------------------------------------------------------------------------------------------

EXPORTS = ("deals", "touches", "customers", "stage-events")


def _exports(db) -> dict[str, str]:
    cli = Cli(None, db)
    return {what: cli.ok("export", what, "-f", "csv").out for what in EXPORTS}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    cli = Cli(tmp_path_factory.mktemp("copy"))
    cli.now = "2026-11-23T08:30"
    cli.ok("demo", "--db", str(cli.db))
    return cli.db


def test_copy_between_two_files_keeps_every_row_and_id(demo_file, tmp_path):
    target = tmp_path / "copy.db"
    cli = Cli(tmp_path)
    done = cli.ok("copy", str(demo_file), str(target))
    assert "deal: 600" in done.err
    assert _exports(target) == _exports(demo_file)
    copied = Cli(None, target)
    assert copied.query("SELECT COUNT(*) FROM change_log") == Cli(None, demo_file).query("SELECT COUNT(*) FROM change_log")
    assert copied.ok("doctor", "-f", "csv").out.count(",problem,") == 0
    lead = copied.ok("lead", "add", "新客户", "--contact", "张三", "--phone", "13800138000", "--source", "expo",
                     env={"SALESFLOW_REP": "wang", "SALESFLOW_NOW": "2026-11-23T09:00"})
    assert lead.out.startswith("#601 ")  # ids go on after the copied ones


def test_copy_refuses_a_target_with_data_and_the_same_database(demo_file, tmp_path):
    cli = Cli(tmp_path)
    cli.ok("init")
    before = cli.dump()
    assert "not empty" in cli.fails(1, "copy", str(demo_file), str(cli.db)).err or \
        "already exists" in cli.fails(1, "copy", str(demo_file), str(cli.db)).err
    assert cli.dump() == before
    assert "same database" in cli.fails(1, "copy", str(demo_file), str(demo_file)).err
    assert "opens an SQLite file or a PostgreSQL database" in cli.fails(2, "copy", str(demo_file), "mysql://x/y").err


@needs_pg
def test_copy_to_postgresql_and_back_exports_byte_identical_files(demo_file, pg_url, tmp_path):
    cli = Cli(tmp_path)
    cli.ok("copy", str(demo_file), pg_url)
    assert _exports(pg_url) == _exports(demo_file)
    assert Cli(None, pg_url).ok("doctor", "-f", "csv").out.count(",problem,") == 0
    back = tmp_path / "back.db"
    cli.ok("copy", pg_url, str(back))
    assert _exports(back) == _exports(demo_file)
    again = cli.fails(1, "copy", str(demo_file), pg_url)
    assert "not empty" in again.err
    lead = Cli(None, pg_url).ok("lead", "add", "新客户", "--contact", "张三", "--phone", "13800138000", "--source",
                                "expo", env={"SALESFLOW_REP": "wang", "SALESFLOW_NOW": "2026-11-23T09:00"})
    assert lead.out.startswith("#601 ")  # the id sequences were moved past the copied rows


@needs_pg
def test_a_customer_grade_is_changed_only_by_a_role_that_sees_all_its_deals(shared):
    """A grade sets every deal's follow-up windows, kept in derived facts: a rep who cannot see a colleague's
    deal of the customer could not refresh its facts (they went stale until doctor --repair)."""
    import psycopg

    owner = shared["owner"]
    owner.ok("lead", "add", "华为", "--contact", "张三", "--phone", "13800138009", "--owner", "chen", "--source", "expo",
             "--allow-duplicate")  # deal 5: 华为's second deal, west
    before = owner.dump()
    for who in ("wang", "li"):  # li manages team east; chen is west
        refused = shared[who].fails(1, "set", "1", "grade=A")
        assert "also has deals you cannot see" in refused.err and "hint:" in refused.err, refused.err
    assert "也有你看不到的商机" in shared["wang"].fails(1, "--lang", "zh", "set", "1", "grade=A").err
    with psycopg.connect(_as(owner.db, "wang"), autocommit=True) as conn:  # and past the CLI
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE customer SET grade = 'A' WHERE name = '华为'")
        conn.execute("UPDATE customer SET industry = '通信' WHERE name = '华为'")  # other fields: as before
    owner.query("UPDATE customer SET industry = NULL WHERE name = '华为'")
    assert owner.dump() == before
    shared["wang"].ok("set", "4", "owner=wang")
    shared["wang"].ok("set", "4", "grade=A")  # 无主: every deal of it is wang's now
    shared["boss"].ok("set", "1", "grade=A")  # an admin sees them all
    assert owner.query("SELECT grade FROM deal_fact WHERE deal_id IN (1, 5) ORDER BY deal_id") == [("A",), ("A",)]
    assert owner.ok("doctor", "-f", "csv").out.count(",problem,") == 0
    owner.ok("lead", "add", "无主", "--contact", "李四", "--phone", "13800138008", "--owner", "chen", "--source", "expo",
             "--allow-duplicate")  # now 无主 has a deal wang cannot see: undoing wang's grade is the same change
    undo = shared["wang"].fails(1, "--lang", "zh", "undo")
    assert "客户 无主 也有你看不到的商机" in undo.err and "提示" in undo.err, undo.err


@needs_pg
def test_undo_refuses_over_a_colleagues_later_change_the_rep_cannot_see(shared):
    """As on SQLite: undo does not overwrite a later change by someone else, even where the rep's policies
    hide that change's log rows (a shared customer's contact, changed by a rep of another team)."""
    owner, wang, chen = shared["owner"], shared["wang"], shared["chen"]
    owner.ok("lead", "add", "华为", "--contact", "张三", "--phone", "13800138009", "--owner", "chen", "--source", "expo",
             "--allow-duplicate")  # chen's deal 5: the same customer and contact as wang's deal 1
    wang.ok("set", "1", "phone=13900139000")
    chen.ok("set", "5", "phone=13700137000")
    before = owner.dump()
    refused = wang.fails(1, "undo")
    assert "chen changed the same records later" in refused.err, refused.err
    assert owner.dump() == before
    import psycopg  # the function behind it answers a command's author (or an admin) only

    wangs = owner.query("SELECT MAX(id) FROM command WHERE by = 'wang'")[0][0]
    for role, seen in (("wang", ["chen"]), ("boss", ["chen"]), ("chen", []), ("li", [])):
        with psycopg.connect(_as(owner.db, role), autocommit=True) as conn:
            assert [r[2] for r in conn.execute("SELECT * FROM salesflow_later_writers(%s)", (wangs,))] == seen, role
    chen.ok("undo")  # chen's own, the latest: fine; and then wang's stands alone again
    wang.ok("undo")
    assert owner.query("SELECT phone FROM contact WHERE name = '张三' AND customer_id = 1") == [("+8613800138009",)]


@needs_pg
def test_a_reps_import_rejects_by_name_the_rows_its_role_may_not_write(pg_url, tmp_path):
    """Before: one opaque policy error (or the unique index of a deal the rep cannot see) for the file."""
    from pathlib import Path

    examples = Path(__file__).parent.parent / "examples" / "import"
    owner = Cli(None, pg_url)
    owner.ok("init")
    owner.ok("rep", "add", "tom", "--name", "Tom Baker", "--login")
    owner.ok("rep", "add", "lina", "--name", "Li Na", "--login")
    owner.ok("import", "deals", str(examples / "pipedrive-deals.csv"), "--rate", "USD=7.1")
    owner.ok("set", "1", "owner=lina")  # 101, in the file as Tom's, is Li Na's now
    tom = Cli(tmp_path, _as(pg_url, "tom"))
    before = owner.dump()
    refused = tom.fails(1, "import", "deals", str(examples / "pipedrive-deals.csv"), "--rate", "USD=7.1")
    assert "pipedrive-deals.csv:2: deal 101 is already here, owned by a rep your database role cannot see" in refused.err
    assert "--rejects FILE" in refused.err and "Traceback" not in refused.err
    assert "only an admin" in tom.fails(1, "import", "deals", str(examples / "pipedrive-deals.csv"), "--rate", "USD=7.1",
                                        "--create-reps").err
    assert owner.dump() == before
    rejects = tmp_path / "rejects.csv"
    done = tom.ok("import", "deals", str(examples / "pipedrive-deals.csv"), "--rate", "USD=7.1", "--rejects", str(rejects))
    assert "1 unchanged, 1 skipped, 3 rejected" in done.out + done.err
    import csv

    reasons = [row["reason"] for row in csv.DictReader(rejects.open(encoding="utf-8-sig"))]
    assert reasons == ["deal 101 is already here, owned by a rep your database role cannot see",
                       "owner lina: your database role may not write that rep's deals",
                       "owner lina: your database role may not write that rep's deals"]
    touches = tom.fails(1, "import", "touches", str(examples / "pipedrive-activities.csv"))
    assert "deal 101 is owned by a rep your database role cannot see" in touches.err
    assert owner.dump() == before


@needs_pg
def test_a_temporary_table_cannot_stand_in_for_salesflows_own_inside_its_functions(shared):
    """From an outside check: the SECURITY DEFINER functions looked names up in the caller's pg_temp first,
    so a rep's temporary `rep` table made salesflow_role() say admin (every deal readable and writable), and
    a temporary `deal` table fooled the grade trigger's count."""
    import psycopg

    owner = shared["owner"]
    owner.ok("lead", "add", "华为", "--contact", "张三", "--phone", "13800138009", "--owner", "chen", "--source", "expo",
             "--allow-duplicate")
    before = owner.dump()
    with psycopg.connect(_as(owner.db, "wang"), autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE rep (handle text, role text, manager text, team text)")
        conn.execute("INSERT INTO rep VALUES ('wang', 'admin', NULL, NULL)")
        conn.execute("CREATE TEMP TABLE deal (id bigint, customer_id bigint, owner text, external_id text)")
        conn.execute("INSERT INTO deal VALUES (1, 1, 'wang', NULL)")
        assert conn.execute("SELECT salesflow_role('wang')").fetchone()[0] == "rep"
        assert {r[0] for r in conn.execute("SELECT id FROM public.deal")} == {1, 4}
        assert conn.execute("UPDATE public.deal SET title = 'pwned' WHERE id = 2").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE customer SET grade = 'A' WHERE id = 1")
    assert owner.dump() == before
    # the class: every function that reads tables with rights or as a trigger names its search_path, pg_temp last
    loose = owner.query("""SELECT p.proname, array_to_string(p.proconfig, ' ') FROM pg_proc p
                           JOIN pg_namespace n ON n.oid = p.pronamespace
                           WHERE n.nspname = current_schema() AND p.proname LIKE 'salesflow%'
                             AND (p.prosecdef OR p.prorettype = 'trigger'::regtype)""")
    assert len(loose) >= 8
    assert [name for name, config in loose if not (config or "").endswith(", pg_temp")] == []


@needs_pg
def test_a_forged_change_log_row_names_only_what_its_author_may_write(shared):
    """From an outside check: a rep could log a change to a colleague's deal under a command of its own, then
    read the colleague's later commands through salesflow_later_writers or block the colleague's undo; and one
    command with the largest bigint id made every later write fail (salesflow_next_id overflowed)."""
    import psycopg

    owner, wang = shared["owner"], shared["wang"]
    wang.ok("touch", "1", "--kind", "call", "--note", "mine")
    mine = owner.query("SELECT MAX(id) FROM command WHERE by = 'wang'")[0][0]
    with psycopg.connect(_as(owner.db, "wang"), autocommit=True) as conn:
        for op in ("update", "delete"):  # zhao's deal 2, which wang cannot see
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
                             " VALUES (%s, 'deal', '2', %s, '2026', 'wang')", (mine, op))
        conn.execute("INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
                     " VALUES (%s, 'deal', '1', 'update', '2026', 'wang')", (mine,))  # its own deal: as before
        for forged in (9223372036854775807, 4503599627370495):  # ids go on from the largest, never past it
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("INSERT INTO command (id, name, args, at, by) VALUES (%s, 'x', '', '2026', 'wang')", (forged,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # change-log ids: from the sequence only
            conn.execute("INSERT INTO change_log (id, command_id, entity, entity_id, op, at, by)"
                         " VALUES (99999, %s, 'deal', '1', 'update', '2026', 'wang')", (mine,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a shared record wang may not change
            conn.execute("INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
                         " VALUES (%s, 'customer', '3', 'update', '2026', 'wang')", (mine,))
        before = conn.execute("SELECT last_value FROM change_log_id_seq").fetchone()[0]
        for _ in range(20):  # moving the sequence back handed out ids that other commands held
            conn.execute("SELECT salesflow_ids_given('change_log')")
        assert conn.execute("SELECT last_value FROM change_log_id_seq").fetchone()[0] >= before
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # facts as the deal has them, not inflated
            conn.execute("UPDATE deal_fact SET amount = 99900000000, close_date = '2026-12-15' WHERE deal_id = 1")
    owner.query("INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
                " VALUES (?, 'pg_authid', '1', 'update', '2026', 'wang')", mine)  # the owner's account can
    refused = wang.fails(1, "undo")  # a log row naming what undo does not know: one line, not a KeyError
    assert "its change log names pg_authid" in refused.err and "internal error" not in refused.err
    owner.ok("touch", "2", "--kind", "call")  # writes go on for everyone


@needs_pg
def test_a_rep_reads_a_rows_history_only_after_its_last_deletion(shared):
    """From an outside check: ids are the largest + 1, so an id an undo freed is given again; the new row's
    owner read the old row's change log (another rep's note) and its command (`undo --list`)."""
    import psycopg

    owner, wang = shared["owner"], shared["wang"]
    wang.ok("touch", "1", "--kind", "call", "--note", "wang's secret: 88万")
    freed = owner.query("SELECT MAX(id) FROM touch")[0][0]
    wang.ok("undo")
    chen = shared["chen"]
    chen.ok("touch", "3", "--kind", "call", "--note", "chen's call")
    assert owner.query("SELECT MAX(id) FROM touch")[0][0] == freed  # the same id, given again
    assert "secret" not in chen.ok("undo", "--list", "-f", "csv").out
    with psycopg.connect(_as(owner.db, "chen"), autocommit=True) as conn:
        seen = conn.execute("SELECT new FROM change_log WHERE entity = 'touch' AND entity_id = %s", (str(freed),)).fetchall()
        assert len(seen) == 1 and "chen's call" in seen[0][0]
    assert "secret" in wang.ok("undo", "--list", "-f", "csv").out  # its author still sees their own
    wang.ok("touch", "1", "--kind", "call", "--note", "wang's second secret")
    wang.ok("undo")
    with psycopg.connect(_as(owner.db, "chen"), autocommit=True) as conn:  # the freed id taken from psql, unlogged
        conn.execute("INSERT INTO touch (id, deal_id, kind, at, by) VALUES (salesflow_next_id('touch'), 3, 'note',"
                     " '2026-11-02T09:00:00', 'chen')")
        assert not [r for r in conn.execute("SELECT new FROM change_log") if "secret" in (r[0] or "")]
        assert not [r for r in conn.execute("SELECT args FROM command") if "secret" in r[0]]


@needs_pg
def test_derived_facts_and_scores_are_written_only_where_they_belong(shared):
    """From an outside check: a rep wrote deal_fact rows for the next deal ids (every later lead add failed,
    the forecast grew by 50 deals), stage_days rows for a colleague's deal, and rescored their own touch."""
    import psycopg

    owner = shared["owner"]
    owner.ok("--as", "li", "review", "score", "1", "2", "--note", "too short")  # zhao's touch on deal 2
    with psycopg.connect(_as(owner.db, "chen"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO deal_fact (deal_id, pipeline, owner, status, stage, amount, grade, created_at,"
                         " stage_entered_at, reached, latest) VALUES (5, 'standard', 'chen', 'open', 'lead', 99999900,"
                         " 'B', '2026-11-01', '2026-11-01', 0, '2026-11-01')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO stage_days (pipeline, stage, seconds, deal_id, owner, grade, created_at)"
                         " VALUES ('standard', 'qualified', 1, 1, 'chen', 'B', 'x')")
    with psycopg.connect(_as(owner.db, "li"), autocommit=True) as conn:  # li sees zhao's deal: rescoring is li's
        assert conn.execute("UPDATE touch_score SET score = 3 WHERE touch_id = 1").rowcount == 1
    zhao = Cli(None, _as(owner.db, "zhao"))
    owner.ok("rep", "set", "zhao", "--login")
    with psycopg.connect(_as(owner.db, "zhao"), autocommit=True) as conn:
        assert conn.execute("UPDATE touch_score SET score = 5 WHERE touch_id = 1").rowcount == 0
    shared["wang"].ok("touch", "1", "--kind", "call", "--note", "mine")
    mine = str(owner.query("SELECT MAX(id) FROM touch")[0][0])
    refused = shared["wang"].fails(1, "review", "score", mine, "5")  # and the CLI's hint fits a login: no --as
    assert "spot checks are scored by managers" in refused.err and "--as" not in refused.err
    assert owner.query("SELECT score FROM touch_score WHERE touch_id = 1") == [(3,)]
    owner.ok("lead", "add", "京东", "--contact", "王五", "--phone", "13800138007", "--source", "expo", "--owner", "chen")
    owner.ok("rep", "set", "zhao", "--inactive")  # left the team: signs in to nothing
    assert _deals(zhao) == []


@needs_pg
def test_a_reps_import_creates_its_own_deals_and_touches(pg_url, tmp_path):
    """From an outside check: a rep's import that created anything failed on the id sequence (setval needs
    rights on it that a rep's role has not), dry run included."""
    owner = Cli(None, pg_url)
    owner.ok("init")
    owner.ok("rep", "add", "tom", "--name", "Tom Baker", "--login")
    owner.ok("lead", "add", "Contoso", "--contact", "Brian", "--phone", "13800138000", "--source", "expo", "--owner", "tom")
    tom = Cli(tmp_path, _as(pg_url, "tom"))
    deals = tmp_path / "mine.csv"
    deals.write_text("title,customer,contact,phone,owner,stage,status,amount,source,external_id\n"
                     "Northwind renewal,Northwind,Anne,13900139000,tom,lead,open,1000,expo,N-1\n", encoding="utf-8")
    assert "1 created" in tom.ok("import", "deals", str(deals), "--dry-run").out
    assert "1 created" in tom.ok("import", "deals", str(deals)).out
    touches = tmp_path / "touches.csv"
    touches.write_text("deal_external_id,kind,at,notes\nN-1,call,2026-11-01 10:00,first call\n", encoding="utf-8")
    assert "1 created" in tom.ok("import", "touches", str(touches)).out
    assert owner.query("SELECT id, owner FROM deal ORDER BY id") == [(1, "tom"), (2, "tom")]
    owner.ok("lead", "add", "Fabrikam", "--contact", "Kim", "--phone", "13700137000", "--source", "expo")
    assert owner.query("SELECT MAX(id) FROM deal") == [(3,)]


@needs_pg
def test_views_and_the_command_log_keep_the_same_rule_as_the_tables(shared):
    """What an outside check found open: the browsing views ran as their owner, a rep could attach a log row
    to another rep's command to read it or take it over, and write-protected rows 'changed' silently."""
    import psycopg

    shared["owner"].ok("touch", "3", "--kind", "visit", "--note", "chen's secret: budget 80万")
    with psycopg.connect(_as(shared["owner"].db, "wang"), autocommit=True) as conn:
        assert {r[0] for r in conn.execute("SELECT deal_id FROM open_deals")} == {1, 4}
        assert {r[0] for r in conn.execute("SELECT deal_id FROM stage_intervals")} <= {1, 4}
        chens = shared["owner"].query("SELECT id FROM command WHERE args LIKE '%secret%'")[0][0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO change_log (command_id, entity, entity_id, op, at, by)"
                         " VALUES (%s, 'zz', '0', 'insert', '2026', 'wang')", (chens,))
        assert not [r for r in conn.execute("SELECT args FROM command") if "secret" in r[0]]
        assert conn.execute("UPDATE command SET by = 'wang' WHERE id = %s", (chens,)).rowcount == 0
        assert conn.execute("UPDATE customer SET name = 'mine' WHERE name = 'Acme West'").rowcount == 0
        assert conn.execute("DELETE FROM forecast_snapshot").rowcount == 0
    refused = shared["li"].fails(1, "rep", "set", "li", "--role", "admin")  # a manager is no admin
    assert "may not change rep li" in refused.err
    assert shared["owner"].query("SELECT role FROM rep WHERE handle = 'li'") == [("manager",)]
    assert "may not do that" in shared["wang"].fails(1, "forecast", "snapshot").err


@needs_pg
def test_reports_list_the_reps_a_role_sees_not_rows_of_zeros_for_the_others(shared):
    import csv
    import io

    def reps(cli):
        return {r["rep"] for r in csv.DictReader(io.StringIO(cli.ok("health", "-f", "csv").out))}

    assert reps(shared["wang"]) == {"wang"}
    assert reps(shared["li"]) == {"wang", "zhao"}
    assert reps(shared["owner"]) >= {"wang", "zhao", "chen"}


@needs_pg
def test_a_password_in_the_url_is_never_stored_with_the_command(shared):
    url = shared["owner"].db
    with_password = url.replace("postgres@", "postgres:hunter2@", 1) + "&password=hunter3"
    shared["owner"].ok("--db", with_password, "touch", "1", "--kind", "call", "--note", "x")
    stored = " ".join(r[0] for r in shared["owner"].query("SELECT args FROM command"))
    assert "hunter2" not in stored and "hunter3" not in stored and "***" in stored


@needs_pg
def test_writers_on_postgresql_take_turns_none_fails(shared):
    """Twelve processes touch one deal at once: each waits for the write lock and succeeds; two losses of one
    deal at once: exactly one of them, the other refused as already closed."""
    from test_reliability import salesflow as run

    url = shared["owner"].db
    extra = {"SALESFLOW_NOW": "2026-11-02T10:00"}
    procs = [subprocess.Popen([sys.executable, "-m", "salesflow", "--db", url, "touch", "1", "--kind", "call",
                               "--note", f"n{i}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, **extra, SALESFLOW_REP="wang")) for i in range(12)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert [err for code, err in outcomes if code] == []
    assert shared["owner"].query("SELECT COUNT(*) FROM touch WHERE deal_id = 1") == [(12,)]
    race = [subprocess.Popen([sys.executable, "-m", "salesflow", "--db", url, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ, **extra, SALESFLOW_REP="wang"))
            for args in (["lose", "2", "--reason", "price"], ["lose", "2", "--reason", "timing"])]
    codes = sorted(p.wait(timeout=120) for p in race)
    assert codes == [0, 1]
    assert "problem" not in run(url, "doctor", "-f", "csv", extra=extra).stdout


def test_a_conflict_is_retried_and_a_constraint_refusal_is_not():
    """The codes the write path keys on (app/context.py retries, undo refuses): PostgreSQL's SQLSTATEs."""
    from salesflow.store.db import conflicted, violates_a_constraint

    class Failure(Exception):
        def __init__(self, sqlstate):
            self.sqlstate = sqlstate

    assert conflicted(Failure("40001")) and conflicted(Failure("40P01"))
    assert not conflicted(Failure("23505")) and not conflicted(ValueError())
    assert violates_a_constraint(Failure("23503")) and not violates_a_constraint(Failure("40001"))


def test_a_command_postgresql_refused_as_a_conflict_runs_again_from_the_start(team: Cli):
    """The retry in @writes, on either backend: the body's first run fails as PostgreSQL's serialization
    failure does; it is rolled back and run again, and only the second run's work is kept."""
    from datetime import datetime

    from conftest import connect
    from salesflow.app.context import Act, writes
    from salesflow.store import changes

    runs = []

    class Conflict(Exception):
        sqlstate = "40001"

    @writes
    def add_note(conn, cmd, act):
        runs.append(1)
        changes.insert(conn, cmd, "meta", {"key": f"try{len(runs)}", "value": "x"})
        if len(runs) == 1:
            raise Conflict("could not serialize access")
        return "ok"

    conn = connect(team.db)
    try:
        assert add_note(conn, Act(now=datetime(2026, 11, 2, 9), by="wang", command="note")) == "ok"
    finally:
        conn.close()
    assert len(runs) == 2
    assert [r[0] for r in team.query("SELECT key FROM meta WHERE key LIKE 'try%'")] == ["try2"]
