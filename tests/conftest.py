"""Shared fixtures: a CLI runner pinned to a temp database, a fixed clock and a plain terminal."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesflow.cli import app

NOW = "2026-11-02T09:00"  # a Monday

# The backend the suite runs on: SQLite files by default; a PostgreSQL server when SALESFLOW_TEST_PG is a URL
# of a database on it whose role may create databases (.ci/postgres starts a throw-away one). Each test
# then gets a new, empty database of its own, dropped afterwards.
TEST_PG = os.environ.get("SALESFLOW_TEST_PG") or None
BACKEND = "postgresql" if TEST_PG else "sqlite"


def pg_admin():
    import psycopg

    return psycopg.connect(TEST_PG, autocommit=True)


def new_pg_database(tag: str) -> str:
    """A new, empty database on the test server; its URL."""
    import re
    import uuid

    from psycopg.conninfo import conninfo_to_dict

    name = ("t_" + re.sub(r"[^a-z0-9]+", "_", tag.lower())[:30] + "_" + uuid.uuid4().hex[:8])
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE \'C.UTF-8\'')
    params = conninfo_to_dict(TEST_PG)
    params["dbname"] = name
    return _url(params)


def _url(params: dict) -> str:
    from urllib.parse import quote, urlencode

    user = params.pop("user", "")
    host = params.pop("host", "")
    port = params.pop("port", "")
    dbname = params.pop("dbname")
    password = params.pop("password", None)
    auth = quote(user) + (":" + quote(password) if password else "") + ("@" if user else "")
    netloc = "" if host.startswith("/") else host + (f":{port}" if port else "")
    query = {**params, **({"host": host} if host.startswith("/") else {}), **({"port": port} if port and host.startswith("/") else {})}
    return f"postgresql://{auth}{netloc}/{quote(dbname)}" + (f"?{urlencode(query)}" if query else "")


def connect(db):
    """A connection to a test database of either kind, rows readable by name (sqlite3.Row or its equal)."""
    if isinstance(db, str):
        from salesflow.store import pg

        return pg.connect(db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def drop_pg_database(url: str) -> None:
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(url)["dbname"]
    with pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Run:
    code: int
    out: str
    err: str


class Cli:
    """Runs the real app. Environment: SALESFLOW_DB, SALESFLOW_NOW, COLUMNS, NO_COLOR pinned."""

    def __init__(self, tmp_path: Path, db: str | None = None):
        self.db = db or tmp_path / "sales.db"  # a PostgreSQL URL when the suite runs there
        self.now = NOW
        self.runner = CliRunner()

    def env(self, **extra: str | None) -> dict[str, str | None]:
        base = {"SALESFLOW_DB": str(self.db), "SALESFLOW_NOW": self.now, "COLUMNS": "120", "NO_COLOR": "1",
                "SALESFLOW_REP": None, "SALESFLOW_LANG": None, "LANG": "C.UTF-8", "LC_ALL": None, "LC_MESSAGES": None,
                "SALESFLOW_DEBUG": None}
        return base | extra

    def __call__(self, *args: str, env: dict[str, str | None] | None = None) -> Run:
        result = self.runner.invoke(app, list(args), env=self.env(**(env or {})))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, **kw) -> Run:
        run = self(*args, **kw)
        assert run.code == 0, f"exit {run.code}: {run.err}"
        return run

    def fails(self, code: int, *args: str, **kw) -> Run:
        run = self(*args, **kw)
        assert run.code == code, f"expected exit {code}, got {run.code}: out={run.out!r} err={run.err!r}"
        assert "Traceback" not in run.err
        return run

    def dump(self) -> str:
        """Everything in the database, as text: equal dumps mean nothing changed."""
        if isinstance(self.db, str):
            from salesflow.store import pg

            conn = pg.connect(self.db)
            try:
                tables = [r[0] for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    " AND table_type = 'BASE TABLE' ORDER BY table_name")]
                # one line a row, as SQLite's iterdump writes them (tests filter by the table's prefix)
                return "\n".join(f'INSERT INTO "{t}" VALUES{row!r}' for t in tables
                                 for row in sorted(map(tuple, conn.execute(f"SELECT * FROM {t}")), key=repr))
            finally:
                conn.close()
        conn = sqlite3.connect(self.db)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()

    def query(self, sql: str, *params) -> list[tuple]:
        if isinstance(self.db, str):
            from salesflow.store import pg

            conn = pg.connect(self.db)
            try:
                return [tuple(r) for r in conn.execute(sql, params).fetchall()]
            finally:
                conn.close()
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


GOLDEN = Path(__file__).parent / "golden"


def at(cli: "Cli", now: str) -> "Cli":
    """Move the pinned clock (SALESFLOW_NOW) of a Cli; returns it for chaining."""
    cli.now = now
    return cli


def check_golden(name: str, text: str) -> None:
    """Compare with a reviewed file under tests/golden; UPDATE_GOLDEN=1 rewrites it (then review the diff)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}; review and rerun with UPDATE_GOLDEN=1"


def all_commands():
    """(path, click command) for every command and group, found the way the CLI finds them."""
    from typer import _click as click
    from typer.main import get_command

    def walk(command, path):
        yield path, command
        ctx = click.Context(command)
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            yield from walk(command.get_command(ctx, name), path + [name])

    yield from walk(get_command(app), [])


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run the full-size reliability tests (.ci/run does)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: full-size process tests; run with --runslow")
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself (its pages, locks, query plans)")


def pytest_collection_modifyitems(config, items):
    if BACKEND == "postgresql":
        file_only = pytest.mark.skip(reason="about the SQLite file itself; this run is on PostgreSQL")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(file_only)
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="full size: run with --runslow (.ci/run does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def cli(tmp_path: Path, request) -> Cli:
    if BACKEND == "sqlite":
        yield Cli(tmp_path)
        return
    url = new_pg_database(request.node.name)
    yield Cli(tmp_path, url)
    drop_pg_database(url)


@pytest.fixture
def team(cli: Cli) -> Cli:
    """An initialised database with a manager (li) and two reps (wang, zhao)."""
    cli.ok("init")
    cli.ok("rep", "add", "li", "--name", "李娜", "--role", "manager", "--team", "east")
    cli.ok("rep", "add", "wang", "--name", "王伟", "--manager", "li", "--team", "east")
    cli.ok("rep", "add", "zhao", "--name", "赵磊", "--manager", "li", "--team", "east")
    return cli


def add_lead(cli: Cli, company: str = "华为技术有限公司", *extra: str, phone: str = "13800138000") -> int:
    run = cli.ok("lead", "add", company, "--contact", "张三", "--phone", phone, "--source", "expo",
                 "--owner", "wang", *extra)
    return int(run.out.split()[0].lstrip("#"))


def to_negotiation(cli: Cli, deal: int) -> None:
    """Walk a fresh lead through every criterion of the standard pipeline up to negotiation."""
    cli.ok("set", str(deal), "need=CRM", "budget=50万", "decision_maker=张总")
    cli.ok("advance", str(deal), "qualified")
    cli.ok("set", str(deal), "amount=12万", "close=2026-12-20")
    cli.ok("advance", str(deal), "proposal")
    cli.ok("touch", str(deal), "--kind", "quote")
    cli.ok("did", str(deal), "confirm-decision-maker")
    cli.ok("advance", str(deal), "negotiation")
