"""Which database `--db` names, and the one function that opens either kind.

| `--db` / SALESFLOW_DB            | backend                                                        |
|----------------------------------|----------------------------------------------------------------|
| a path (`sales.db`, `~/crm.db`)  | an SQLite file (store/db.py): one host, one file               |
| `postgresql://…`, `postgres://…` | a PostgreSQL database (store/pg.py; the `postgres` extra)      |
| any other `scheme://…`           | refused: salesflow serves no other database                    |
"""

from __future__ import annotations

import re
from pathlib import Path

from salesflow.domain.errors import UsageProblem
from salesflow.i18n import _

PG_SCHEMES = ("postgresql", "postgres")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")


def locate(text: str, source: str = "--db") -> Path | str:
    """A PostgreSQL URL (returned as text) or an SQLite file's path. A URL of another scheme is refused
    here, before anything is created: never a local file under a directory called `mysql:`."""
    m = _URL.match(text)
    if m is None:
        return Path(text).expanduser()
    scheme = m.group(1).lower()
    if scheme in PG_SCHEMES:
        return text
    from salesflow.store.pg import redact

    raise UsageProblem(_("{source} {url}: salesflow opens an SQLite file or a PostgreSQL database, not {scheme}://").format(
        source=source, url=redact(text)[:120], scheme=scheme),
        hint=_("give a file path (--db sales.db) or a URL (--db postgresql://HOST/DB)"))


def is_url(target: Path | str) -> bool:
    return isinstance(target, str)


def open_database(target: Path | str, *, create: bool = False):
    """An open connection to the SQLite file or the PostgreSQL database; the schema checked and migrated."""
    if isinstance(target, str):
        from salesflow.store import pg

        return pg.connect(target, create=create)
    from salesflow.store.db import open_db

    return open_db(target, create=create)
