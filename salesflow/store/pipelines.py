"""Pipelines and stages in the database, and the small `meta` key/value table."""

from __future__ import annotations

import json
import sqlite3

from typing import TYPE_CHECKING

from salesflow.domain.errors import NotFound
from salesflow.i18n import _

if TYPE_CHECKING:
    from salesflow.domain.pipeline import Pipeline


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def meta_like(conn: sqlite3.Connection, prefix: str) -> list[tuple[str, str]]:
    """Every (key, value) whose key starts with `prefix`, by key."""
    return conn.execute("SELECT key, value FROM meta WHERE substr(key, 1, ?) = ? ORDER BY key",
                        (len(prefix), prefix)).fetchall()


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))


def pipeline_keys(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT key FROM pipeline ORDER BY position, key")]


def load_pipeline(conn: sqlite3.Connection, key: str) -> Pipeline:
    from salesflow.domain.pipeline import pipeline_from_dict

    row = conn.execute("SELECT compiled FROM pipeline WHERE key = ?", (key,)).fetchone()
    if row is None:  # as typed: a name or label, any case, a unique prefix
        from salesflow.domain.choose import choose

        named = conn.execute("SELECT key, name, label_zh FROM pipeline ORDER BY position, key").fetchall()
        if not named:
            raise NotFound(_("no pipeline {key!r} in this database").format(key=key), hint=_("add one with: salesflow init"))
        key = choose(key, [(k, (name, zh)) for k, name, zh in named], _("pipeline"),
                     missing=_("no pipeline {key!r} in this database").format(key=key))
        row = conn.execute("SELECT compiled FROM pipeline WHERE key = ?", (key,)).fetchone()
    return pipeline_from_dict(json.loads(row[0]), f"pipeline {key}")


def pipeline_source(conn: sqlite3.Connection, key: str) -> str:
    load_pipeline(conn, key)  # the same NotFound for an unknown key
    return conn.execute("SELECT definition FROM pipeline WHERE key = ?", (key,)).fetchone()[0]


def stage_keys_in_use(conn: sqlite3.Connection, pipeline: str) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT stage FROM deal WHERE pipeline = ?", (pipeline,))}


def save_pipeline(conn: sqlite3.Connection, pipeline: Pipeline, source: str, compiled: dict, at: str) -> None:
    """Insert or replace a pipeline and its stage rows (the caller checked stages in use survive)."""
    conn.execute(
        "INSERT INTO pipeline (key, name, label_zh, definition, compiled, loaded_at, position)"
        " VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position) + 1, 0) FROM pipeline))"  # a reload keeps its place
        " ON CONFLICT (key) DO UPDATE SET name = excluded.name, label_zh = excluded.label_zh,"
        " definition = excluded.definition, compiled = excluded.compiled, loaded_at = excluded.loaded_at",
        (pipeline.key, pipeline.name, pipeline.label_zh, source, json.dumps(compiled, ensure_ascii=False), at),
    )
    # Deals reference (pipeline, stage); with foreign keys on, stale rows are removed one by one.
    keep = [s.key for s in pipeline.stages]
    conn.execute(
        f"DELETE FROM stage WHERE pipeline = ? AND key NOT IN ({', '.join('?' for _ in keep)})",
        [pipeline.key, *keep],
    )
    for position, stage in enumerate(pipeline.stages):
        conn.execute(
            "INSERT INTO stage (pipeline, key, position, kind, name, label_zh, prior, idle_days)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pipeline, key) DO UPDATE SET"
            " position = excluded.position, kind = excluded.kind, name = excluded.name,"
            " label_zh = excluded.label_zh, prior = excluded.prior, idle_days = excluded.idle_days",
            (pipeline.key, stage.key, position, stage.kind, stage.name, stage.label_zh, stage.prior, stage.idle_days),
        )
    from salesflow.store import facts  # stage order, idle limits and SLAs are in its deals' derived facts

    facts.refresh_pipeline(conn, pipeline.key)


def stage_labels(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """stage key -> (English name, Chinese label), across pipelines (first definition wins)."""
    labels: dict[str, tuple[str, str]] = {}
    for key, name, label_zh in conn.execute(
            "SELECT s.key, s.name, s.label_zh FROM stage AS s JOIN pipeline AS p ON p.key = s.pipeline"
            " ORDER BY p.position, p.key, s.position"):
        labels.setdefault(key, (name, label_zh))
    return labels
