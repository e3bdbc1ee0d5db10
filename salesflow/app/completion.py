"""What the shell completes from the database in use: stage keys, rep handles, lost reasons."""

from __future__ import annotations

import sqlite3

from salesflow.store.pipelines import load_pipeline, pipeline_keys, stage_labels
from salesflow.store.reps import list_reps


def stages(conn: sqlite3.Connection) -> list[str]:
    return list(stage_labels(conn))


def reps(conn: sqlite3.Connection) -> list[str]:
    return [r["handle"] for r in list_reps(conn)]


def lost_reasons(conn: sqlite3.Connection) -> list[str]:
    seen: dict[str, None] = {}
    for key in pipeline_keys(conn):
        seen.update(dict.fromkeys(load_pipeline(conn, key).lost_reasons))
    return list(seen)
