"""Opening the database: the one function that connects, checks, migrates and sets pragmas.

Order matters for safety (§12): a file that is not a salesflow database, or one written by a newer
salesflow, is refused before any statement that could write (the WAL switch included), so it stays
byte-identical. A database that needs migrating is first copied next to itself with `VACUUM INTO`.
Writes go through `write()`: BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout
instead of failing with "database is locked" halfway through.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from salesflow.domain.errors import NotFound, Refused
from salesflow.store.schema import MIGRATIONS, NAMES

MIGRATION_SET = "salesflow"
BUSY_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class SchemaState:
    fresh: bool  # no tables at all
    applied: tuple[str, ...]
    pending: tuple[str, ...]


def open_db(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Connect to `path`; with `create`, make an owner-only file and build the schema."""
    if not path.exists():
        if not create:
            raise NotFound(f"no salesflow database at {path}",
                           hint="create one with: salesflow init  (or try: salesflow demo)")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        state = schema_state(conn, path)
        if state.fresh and not create:
            raise NotFound(f"{path} is an empty database", hint="initialise it with: salesflow init")
        if state.pending:
            if state.fresh:
                conn.execute("PRAGMA journal_mode = WAL")
            else:
                backup(conn, path, state)
            migrate(conn)
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def path_of(conn: sqlite3.Connection) -> Path:
    return Path(conn.execute("PRAGMA database_list").fetchone()[2])


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection of its own (a forked helper process must never use its parent's)."""
    reader = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                             isolation_level=None)
    reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return reader


def schema_state(conn: sqlite3.Connection, path: Path) -> SchemaState:
    """Read-only: which of our migrations are applied; refuses foreign and newer databases."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        raise Refused(f"{path} is not a salesflow database (not an SQLite file)",
                      hint="point --db at a salesflow database, or at a new file name") from None
    if not tables:
        return SchemaState(True, (), tuple(NAMES))
    if "_sqlite_migrations" not in tables:
        raise Refused(f"{path} is not a salesflow database (it has other tables)",
                      hint="point --db at a salesflow database, or at a new file name")
    applied = tuple(r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,)))
    if not applied:
        raise Refused(f"{path} is not a salesflow database", hint="point --db at a salesflow database")
    unknown = [name for name in applied if name not in NAMES]
    if unknown:
        raise Refused(f"{path} was written by a newer salesflow (schema {unknown[-1]})",
                      hint="upgrade salesflow: pip install -U salesflow")
    return SchemaState(False, applied, tuple(n for n in NAMES if n not in applied))


def backup(conn: sqlite3.Connection, path: Path, state: SchemaState) -> Path:
    """Copy the database next to itself before migrating, owner-only, named by schema versions."""
    target = path.with_name(f"{path.name}.{state.applied[-1]}-to-{NAMES[-1]}.bak")
    if target.exists():
        target.unlink()
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    target.unlink()  # VACUUM INTO needs a new file; the umask set by the CLI keeps it owner-only
    conn.execute("VACUUM INTO ?", (str(target),))
    os.chmod(target, 0o600)
    return target


def migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations in one write transaction (sqlite-utils nests them as savepoints)."""
    from sqlite_utils import Database, Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, ddl in MIGRATIONS:
        migrations(name=name)(_runner(ddl))
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    with write(conn):
        migrations.apply(db)


def _runner(ddl: str):
    # The schema's DDL has no "--" inside string literals, so comments can be cut at "--".
    code = "\n".join(line.split("--", 1)[0] for line in ddl.splitlines())

    def run(db) -> None:
        # executescript() would COMMIT first; run statement by statement inside the transaction.
        for statement in code.split(";"):
            if statement.strip():
                db.execute(statement)

    return run


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE, so concurrent writers queue instead of failing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "afs", "ceph", "glusterfs", "lustre", "gpfs", "9p", "fuse.sshfs",
    "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "davfs", "fuse.davfs2", "beegfs", "ocfs2", "gfs2",
})


def network_filesystem(path: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The type of network filesystem `path` lives on (SQLite's locking is not safe there), or None."""
    try:
        table = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None  # not Linux, or no /proc: nothing to say
    target = Path(os.path.realpath(path if path.exists() else path.parent))
    best, kind = "", None
    for line in table:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (target == Path(point) or Path(point) in target.parents) and len(point) > len(best):
            best, kind = point, parts[2]
    return kind if kind in NETWORK_FILESYSTEMS else None
