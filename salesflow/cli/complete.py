"""Shell completion (`salesflow --install-completion`): stage keys, rep handles and lost reasons come from
the database in use (--db, else SALESFLOW_DB, else the default). Completion never writes, never fails
loudly: no database or a damaged one completes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import typer


def _words(what: str) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from salesflow.cli.env import GLOBALS_KEY, default_db_path

        given = ctx.find_root().meta.get(GLOBALS_KEY, {}).get("db") or os.environ.get("SALESFLOW_DB")
        try:
            from salesflow.store.db import locate, open_database

            path = locate(given) if given else default_db_path()
            if isinstance(path, Path) and not path.is_file():
                return []
            from salesflow.app import completion

            conn = open_database(path)
            try:
                words = getattr(completion, what)(conn)
            finally:
                conn.close()
        except Exception:  # noqa: BLE001 - a shell's tab key must never print a traceback
            return []
        return [w for w in words if w.startswith(incomplete)]

    return complete


stages = _words("stages")
reps = _words("reps")
lost_reasons = _words("lost_reasons")
