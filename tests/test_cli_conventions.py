"""Interface conventions every command shares: global options, errors, exit codes, help."""

from __future__ import annotations

import pytest

from conftest import add_lead, all_commands


def test_global_options_before_or_after_the_command(team, tmp_path):
    add_lead(team)
    other = tmp_path / "other.db"
    team.ok("--db", str(other), "init")
    assert team.ok("deals", "--db", str(other), "-f", "csv").out.count("\n") == 1  # header only: other db
    assert team.ok("--db", str(other), "deals", "-f", "csv").out.count("\n") == 1
    assert team.ok("deals", "-f", "csv").out.count("\n") == 2  # SALESFLOW_DB


def test_now_flag_overrides_the_environment(team):
    team.ok("lead", "add", "ACME", "--contact", "a", "--email", "a@b.co", "--source", "w", "--now", "2026-12-01T10:30")
    assert team.query("SELECT created_at FROM deal") == [("2026-12-01T10:30:00",)]
    assert team.fails(2, "deals", "--now", "someday").err.startswith("error: --now 'someday' is not a date")
    assert team.fails(2, "deals", env={"SALESFLOW_NOW": "yesterday"}).err.startswith("error: --now 'yesterday'")


@pytest.mark.parametrize("args", [
    ["advance"],
    ["deals", "--bogus"],
    ["deals", "-f", "xml"],
    ["frobnicate"],
    ["rep", "add", "x", "--capacity", "many"],
])
def test_usage_errors_are_one_line_with_a_hint_and_exit_2(team, args):
    run = team.fails(2, *args)
    lines = run.err.splitlines()
    assert len(lines) == 2, run.err
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: see: salesflow")
    assert "╭" not in run.err  # no Typer panel


@pytest.mark.sqlite_only  # a file that is not there; `where` of a file
def test_a_missing_database_says_how_to_create_one(cli):
    run = cli.fails(1, "deals")
    assert run.err.splitlines() == [f"error: no salesflow database at {cli.db}",
                                    "hint: create one with: salesflow init  (or try: salesflow demo)"]
    assert not cli.db.exists()


@pytest.mark.sqlite_only  # a file that is not there; `where` of a file
def test_version_and_where(cli):
    assert cli.ok("--version").out.startswith("salesflow ")
    out = cli.ok("where").out
    assert f"database: {cli.db}" in out and "from:     SALESFLOW_DB" in out and "exists:   no" in out


def test_lang_and_color_are_validated(team):
    assert "not a language" in team.fails(2, "deals", "--lang", "fr").err
    assert "not a choice" in team.fails(2, "deals", "--color", "pink").err


def test_every_command_has_help(cli):
    seen = 0
    for path, command in all_commands():
        assert command.help or command.short_help, f"{' '.join(path)} has no help"
        for param in command.params:
            if param.param_type_name == "option" and not getattr(param, "hidden", False):
                assert param.help, f"{' '.join(path)} {param.opts} has no help"
        run = cli.ok(*path, "--help")
        assert "Usage" in run.out
        seen += 1
    assert seen > 15


def test_internal_errors_are_one_line_unless_debug(team, monkeypatch):
    import salesflow.app.views as views

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(views.store, "list_deals", boom)
    run = team.fails(1, "deals")
    assert run.err.splitlines() == ["error: internal error: RuntimeError: kaboom",
                                    "hint: run again with --debug for the traceback, and report it"]
    with pytest.raises(RuntimeError):
        team("deals", "--debug")


def test_the_shell_completes_stages_reps_and_lost_reasons_from_the_database_in_use(team):
    import os
    import subprocess
    import sys

    def complete(words: str, cword: int) -> list[str]:
        env = dict(os.environ, SALESFLOW_DB=str(team.db), _SALESFLOW_COMPLETE="complete_bash", COMP_WORDS=words,
                   COMP_CWORD=str(cword))
        run = subprocess.run([sys.executable, "-m", "salesflow"], env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    assert complete("salesflow advance 1 ", 3) == ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
    assert complete("salesflow lose 1 --reason no", 4) == ["no-budget", "no-decision"]
    assert complete("salesflow due --as z", 3) == ["zhao"]
    assert complete("salesflow deals --stage ne", 3) == ["negotiation"]
    assert complete("salesflow adv", 1) == ["advance"]
    # no database there: nothing to complete, and nothing printed but the (empty) list
    empty = dict(os.environ, SALESFLOW_DB=str(team.db) + ".missing", _SALESFLOW_COMPLETE="complete_bash",
                 COMP_WORDS="salesflow advance 1 ", COMP_CWORD="3")
    run = subprocess.run([sys.executable, "-m", "salesflow"], env=empty, capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout.split(), run.stderr) == (0, [], "")


def test_the_completion_script_is_for_the_shell_named():
    import subprocess
    import sys

    def script(shell: str) -> str:
        return subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['salesflow', '--show-completion', sys.argv[1]];"
                               " from salesflow.cli import main; main()", shell],
                              capture_output=True, text=True, timeout=60).stdout

    assert script("zsh").startswith("#compdef salesflow")
    assert script("fish").startswith("complete --command salesflow")
    assert "_salesflow_completion()" in script("bash")
