"""A separate SQLite file of finished report rows (for Datasette): written with sqlite-utils, one table per
report, columns in the report's order. Never the salesflow database itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any


# The canned queries Datasette offers on the snapshot (app.web names and describes them).
QUERIES = {
    "due_today_for": "SELECT * FROM due_today WHERE :rep = '' OR owner = :rep ORDER BY rowid",
    "funnel_by_rep": "SELECT * FROM funnel_by_rep ORDER BY rowid",
    "stuck_deals": "SELECT * FROM stuck ORDER BY rowid",
    "board_of": "SELECT * FROM board WHERE :rep = '' OR owner = :rep ORDER BY rowid",
    "dashboard_now": "SELECT * FROM dashboard ORDER BY rowid",
}


def write_tables(path: Path, tables: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(path)
    try:
        for name, (columns, rows) in tables.items():
            table = db[name]
            if rows:
                table.insert_all(({c: row.get(c) for c in columns} for row in rows), alter=True)
            else:
                table.create({c: str for c in columns})
    finally:
        db.close()
