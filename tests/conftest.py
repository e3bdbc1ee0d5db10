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


@dataclass
class Run:
    code: int
    out: str
    err: str


class Cli:
    """Runs the real app. Environment: SALESFLOW_DB, SALESFLOW_NOW, COLUMNS, NO_COLOR pinned."""

    def __init__(self, tmp_path: Path):
        self.db = tmp_path / "sales.db"
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
        """Everything in the database, as SQL: equal dumps mean nothing changed."""
        conn = sqlite3.connect(self.db)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()

    def query(self, sql: str, *params) -> list[tuple]:
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


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="full size: run with --runslow (.ci/run does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


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
