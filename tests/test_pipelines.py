"""Pipelines as data: templates, `pipeline show|export|load`, validation with clear errors."""

from __future__ import annotations

import json

import pytest


def test_show_lists_stages_with_criteria(cli):
    cli.ok("init")
    rows = json.loads(cli.ok("pipeline", "show", "-f", "json").out)
    assert [(r["key"], r["prior"], r["idle_limit"]) for r in rows] == [
        ("lead", 0.1, 3), ("qualified", 0.25, 7), ("proposal", 0.5, 7), ("negotiation", 0.75, 3),
        ("won", 1.0, None), ("lost", 0.0, None)]
    assert rows[0]["entry"] == "customer, contact, phone or email, source"
    assert rows[3]["exit"] == "meeting touch with notes"
    table = cli.ok("pipeline", "show", "--lang", "zh").out
    assert "需求确认" in table and "先验概率" in table


def test_export_then_load_round_trips_and_edits_apply(cli, tmp_path):
    cli.ok("init")
    source = cli.ok("pipeline", "export").out
    assert source.startswith("# The standard B2B pipeline")
    edited = tmp_path / "mine.toml"
    edited.write_text(source.replace("idle_days = 3\nentry = [\"customer\"", "idle_days = 5\nentry = [\"customer\""),
                      encoding="utf-8")
    assert "replaced pipeline standard" in cli.ok("pipeline", "load", str(edited)).err
    rows = json.loads(cli.ok("pipeline", "show", "-f", "json").out)
    assert rows[0]["idle_limit"] == 5
    assert cli.ok("pipeline", "export").out == edited.read_text(encoding="utf-8")


@pytest.mark.parametrize("edit, problem", [
    (lambda s: s.replace("prior = 0.50", "prior = 1.5"), "stages[2].prior: must be between 0 and 1, got 1.5"),
    (lambda s: s.replace('entry = ["need", "budget", "decision_maker"]', 'entry = ["need", "budgit"]'),
     "stages[1].entry[1]: unknown field 'budgit'"),
    (lambda s: s.replace('exit = [{ touch = "meeting", notes = true }]', 'exit = [{ touch = "fax", notes = true }]'),
     "stages[3].exit[0].touch: unknown kind 'fax'"),
    (lambda s: s.replace('key = "qualified"', 'key = "lead"'), "stages: key 'lead' appears more than once"),
    (lambda s: s.replace("[grades.C]\nfirst_touch_days = 7\ncadence_days = 30\n", ""), "grades.C: missing"),
    (lambda s: s.replace("idle_days = 7\nentry = [\"need\"", "idle_days = \"week\"\nentry = [\"need\""),
     "stages[1].idle_days: expected a whole number, got 'week'"),
    (lambda s: s.replace('kind = "won"', 'kind = "open"'), "exactly one stage of kind 'won'"),
    (lambda s: s + "\ncolour = 'red'\n", "colour: unknown setting"),
    (lambda s: s.replace('name = "Standard B2B"', 'name = "Standard B2B'), "not valid TOML"),
])
def test_a_bad_file_is_refused_naming_the_problem(cli, tmp_path, edit, problem):
    cli.ok("init")
    bad = tmp_path / "bad.toml"
    bad.write_text(edit(cli.ok("pipeline", "export").out), encoding="utf-8")
    before = cli.dump()
    run = cli.fails(1, "pipeline", "load", str(bad))
    assert problem in run.err
    assert run.err.startswith(f"error: {bad}")
    assert cli.dump() == before


def test_load_refuses_dropping_a_stage_that_deals_are_in(cli, tmp_path):
    cli.ok("init")
    cli.ok("lead", "add", "ACME", "--contact", "a", "--email", "a@b.co", "--source", "w")
    source = cli.ok("pipeline", "export").out
    start = source.index("[[stages]]\nkey = \"lead\"")
    end = source.index("[[stages]]\nkey = \"qualified\"")
    bad = tmp_path / "nolead.toml"
    bad.write_text(source[:start] + source[end:], encoding="utf-8")
    assert "would drop stages that deals are in: lead" in cli.fails(1, "pipeline", "load", str(bad)).err


def test_a_missing_file_is_one_line(cli):
    cli.ok("init")
    assert cli.fails(1, "pipeline", "load", "nope.toml").err.startswith("error: no file nope.toml")


@pytest.mark.parametrize("template, stages", [
    ("manufacturing", ["lead", "needs", "sample", "spec", "bid", "won", "lost"]),
    ("saas", ["lead", "discovery", "trial", "negotiation", "won", "lost"]),
])
def test_other_templates(cli, template, stages):
    cli.ok("init", "--template", template)
    assert [r["key"] for r in json.loads(cli.ok("pipeline", "show", "-f", "json").out)] == stages


def test_export_to_a_file_is_atomic_and_owner_only(cli, tmp_path):
    import stat

    cli.ok("init")
    target = tmp_path / "standard.toml"
    cli.ok("pipeline", "export", "-o", str(target))
    assert target.read_text(encoding="utf-8") == cli.ok("pipeline", "export").out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_pipelines_are_listed_in_the_order_they_came_in_and_a_reload_keeps_its_place(cli, tmp_path):
    """The same order on every backend, and through a copy: it is kept in the schema, not in SQLite's rowid."""
    cli.ok("init")
    cli.ok("pipeline", "load", "--template", "saas")
    cli.ok("pipeline", "load", "--template", "manufacturing")
    cli.ok("pipeline", "load", "--template", "saas")  # replaced: keeps its place
    hint = "hint: pipelines: standard, saas, manufacturing"  # key order would be manufacturing, saas, standard
    assert hint in cli.fails(1, "pipeline", "show", "nope").err
    copied = tmp_path / "copied.db"
    cli.ok("copy", str(cli.db), str(copied))
    cli.db = copied
    assert hint in cli.fails(1, "pipeline", "show", "nope").err


@pytest.mark.sqlite_only
def test_the_migration_keeps_the_order_sqlite_listed_them_in(cli):
    import sqlite3

    cli.ok("init")
    cli.ok("pipeline", "load", "--template", "saas")
    cli.ok("pipeline", "load", "--template", "manufacturing")
    conn = sqlite3.connect(cli.db)  # back to the schema before m008: order by rowid only
    with conn:
        conn.execute("ALTER TABLE pipeline DROP COLUMN position")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_pipeline_order'")
    conn.close()
    assert "hint: pipelines: standard, saas, manufacturing" in cli.fails(1, "pipeline", "show", "nope").err
    assert cli.query("SELECT key, position FROM pipeline ORDER BY key") == [
        ("manufacturing", 2), ("saas", 1), ("standard", 0)]
