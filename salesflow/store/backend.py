"""Which database `--db` names, and the one function that opens either kind.

| `--db` / SALESFLOW_DB            | backend                                                        |
|----------------------------------|----------------------------------------------------------------|
| a path (`sales.db`, `~/crm.db`)  | an SQLite file (store/db.py): one host, one file               |
| `postgresql://…`, `postgres://…` | a PostgreSQL database (store/pg.py; the `postgres` extra)      |
| any other `scheme:…`, `file:…`, a libpq `key=value` string | refused: salesflow serves no other database |
"""

from __future__ import annotations

import re
from pathlib import Path

from salesflow.domain.errors import UsageProblem
from salesflow.i18n import _

PG_SCHEMES = ("postgresql", "postgres")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: C:\… is a Windows path
_KEY_VALUE = re.compile(r"^\s*(host|hostaddr|dbname|user|port|service)\s*=", re.I)


def locate(text: str, source: str = "--db") -> Path | str:
    """A PostgreSQL URL (returned as text, its scheme in lower case) or an SQLite file's path. Anything
    else that names a database — another URL scheme, `file:…`, a libpq key/value string — is refused
    here, before anything is created: never a local file under a directory called `mysql:`."""
    from salesflow.store.pg import redact

    m = _SCHEME.match(text)
    if m is None and not _KEY_VALUE.match(text):
        return Path(text).expanduser()
    scheme = m.group(1).lower() if m else ""
    if scheme in PG_SCHEMES and text[m.end():].startswith("//"):
        return scheme + text[m.end(1):]
    if m is None:
        raise UsageProblem(_("{source} {url}: give a PostgreSQL database as a URL").format(source=source, url=redact(text)[:120]),
                           hint=_("e.g. --db postgresql://HOST/DB (libpq's PG* variables and ~/.pgpass apply)"))
    raise UsageProblem(_("{source} {url}: salesflow opens an SQLite file or a PostgreSQL database, not {scheme}:").format(
        source=source, url=redact(text)[:120], scheme=scheme),
        hint=_("give a file path (--db sales.db; ./NAME for a file whose name has a colon) or a URL (--db postgresql://HOST/DB)"))


def open_database(target: Path | str, *, create: bool = False):
    """An open connection to the SQLite file or the PostgreSQL database; the schema checked and migrated."""
    if isinstance(target, str):
        from salesflow.store import pg

        return pg.connect(target, create=create)
    from salesflow.store.db import open_db

    return open_db(target, create=create)
