"""Opening the database: the one function that connects, checks, migrates and sets pragmas.

Order matters for safety: a file that is not a salesflow database, or one written by a newer
salesflow, is refused before any statement that could write (the WAL switch included), so it stays
byte-identical. A database that needs migrating is first copied next to itself with `VACUUM INTO`.
Writes go through `write()`: BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout
instead of failing with "database is locked" halfway through.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from salesflow.domain.errors import BadInput, NotFound, Refused, SalesflowError
from salesflow.store.schema import MIGRATIONS, NAMES
from salesflow.i18n import N_, _

MIGRATION_SET = "salesflow"
T = TypeVar("T")
BUSY_TIMEOUT_MS = 15_000
WAIT_SLICE_MS = 50  # how long one wait for the write lock lasts before Python may handle a signal


@dataclass(frozen=True)
class SchemaState:
    fresh: bool  # no tables at all
    applied: tuple[str, ...]
    pending: tuple[str, ...]


def locate(text: str, source: str = "--db"):
    """--db's value as a file path or a PostgreSQL URL (store/backend.py; the CLI opens the store here)."""
    from salesflow.store.backend import locate as where

    return where(text, source)


def open_database(target, *, create: bool = False):
    """An SQLite file or a PostgreSQL database, opened (store/backend.py)."""
    from salesflow.store.backend import open_database as opened

    return opened(target, create=create)


def shown(target) -> str:
    """The database as a message may print it: a URL without its password."""
    if isinstance(target, str):
        from salesflow.store.pg import redact

        return redact(target)
    return str(target)


def shown_args(argv: list[str]) -> list[str]:
    """A command line as it may be stored (command.args) and printed: passwords in database URLs masked."""
    if not any("password" in a.lower() or "://" in a for a in argv):
        return list(argv)
    from salesflow.store.pg import redact

    return [redact(a) for a in argv]


def explain_server(exc: BaseException) -> SalesflowError:
    """A PostgreSQL error (psycopg's) in one line."""
    from salesflow.store.pg import explain as explained

    return explained(exc)


def conflicted(exc: BaseException) -> bool:
    """PostgreSQL refused a command because another ran at the same time (a serialization failure, 40001,
    or a deadlock, 40P01): nothing of it was kept and it may run again. SQLite never reports this."""
    return getattr(exc, "sqlstate", None) in ("40001", "40P01")


def violates_a_constraint(exc: BaseException) -> bool:
    """A write refused by a foreign key, a unique key or a check: SQLite's IntegrityError, or PostgreSQL's
    class 23 (integrity constraint violation)."""
    return isinstance(exc, sqlite3.IntegrityError) or str(getattr(exc, "sqlstate", "") or "").startswith("23")


def open_db(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """Connect to `path`; with `create`, make an owner-only file and build the schema. Every way this can
    fail is one SalesflowError that says which (damaged, truncated, locked, read-only, a bad path …)."""
    try:
        return _open(path, create)
    except sqlite3.DatabaseError as exc:
        raise explain(exc, path) from None
    except UnicodeDecodeError:  # its schema holds bytes that are not text
        raise Damaged(_("{path} is damaged (its schema is not valid text)").format(path=path), hint=_(RESTORE)) from None
    except OSError as exc:  # a name too long, a path through a file …
        raise BadInput(_("cannot open the database {path}: {value}").format(path=str(path)[:120], value=exc.strerror or exc),
                       hint=_("check --db or SALESFLOW_DB")) from None


def _open(path: Path, create: bool) -> sqlite3.Connection:
    if not path.exists():
        if not create:
            raise NotFound(_("no salesflow database at {path}").format(path=path),
                           hint=_("create one with: salesflow init  (or try: salesflow demo)"))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:  # another salesflow created it a moment ago: open that one
            pass
    elif create and path.is_file() and path.stat().st_size == 0:
        # an empty file made beforehand with the usual umask (touch sales.db): owner-only before SQLite
        # writes to it, since SQLite gives -wal and -shm the mode of the database file
        os.chmod(path, 0o600)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        state = patiently(conn, lambda: schema_state(conn, path))  # a process holding an exclusive lock: wait
        if state.fresh and not create:
            raise NotFound(_("{path} is an empty database").format(path=path), hint=_("initialise it with: salesflow init"))
        if state.pending:
            if state.fresh:
                conn.execute("PRAGMA journal_mode = WAL")
            elif any(ddl for name, ddl in MIGRATIONS if name in state.pending):  # m007 is empty on SQLite
                backup(conn, path, state)
            migrate(conn)
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def schema_state(conn: sqlite3.Connection, path: Path) -> SchemaState:
    """Read-only: which of our migrations are applied; refuses foreign and newer databases."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise  # another process holds the file: the caller waits (patiently) and then says so
        raise explain(exc, path) from None
    if not tables:
        return SchemaState(True, (), tuple(NAMES))
    if "_sqlite_migrations" not in tables:
        raise Refused(_("{path} is not a salesflow database (it has other tables)").format(path=path),
                      hint=_("point --db at a salesflow database, or at a new file name"))
    applied = tuple(r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,)))
    if not applied:
        raise Refused(_("{path} is not a salesflow database").format(path=path), hint=_("point --db at a salesflow database"))
    unknown = [name for name in applied if name not in NAMES]
    if unknown:
        raise Refused(_("{path} was written by a newer salesflow (schema {unknown})").format(path=path, unknown=unknown[-1]),
                      hint=_("upgrade salesflow: pip install -U salesflow"))
    return SchemaState(False, applied, tuple(n for n in NAMES if n not in applied))


def backup(conn: sqlite3.Connection, path: Path, state: SchemaState) -> Path:
    """Copy the database next to itself before migrating, owner-only, named by schema versions."""
    target = path.with_name(f"{path.name}.{state.applied[-1]}-to-{NAMES[-1]}.bak")
    # into a name of this process's own, then renamed: several salesflows opening an old database at once
    # each make a whole backup, and the last rename wins (VACUUM INTO needs a file that does not exist)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    if partial.exists():
        partial.unlink()
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    partial.unlink()  # the umask set by the CLI keeps the new file owner-only; chmod below makes sure
    try:
        conn.execute("VACUUM INTO ?", (str(partial),))
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
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


def _runner(ddl):
    if callable(ddl):  # a migration that computes as well as declares (m006: the derived facts)
        return lambda db: ddl(db.conn)
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
    _begin_immediate(conn)
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Damaged(Refused):
    """The database file is damaged (malformed or truncated): nothing can be trusted until it is repaired."""


SQLITE_HEADER = b"SQLite format 3\x00"  # (output/target.py reads it too: output may not import store)
RESTORE = N_("restore the newest backup (*.bak beside it), or recover what is left with: sqlite3 FILE .recover")


def is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds a lock we need (SQLITE_BUSY / SQLITE_LOCKED)."""
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def explain(exc: sqlite3.DatabaseError, path: Path | None) -> SalesflowError:
    """What an SQLite failure means for the user, in one line: damaged, truncated, not SQLite, read-only,
    locked, full — never just "not a salesflow database" when it is something else."""
    name = str(path) if path is not None else _("the database")
    text = str(exc).lower()
    restore = RESTORE
    damaged = "malformed" in text or "not a database" in text or "corrupt" in text
    if damaged and path is not None:
        header, size, stated = _header(path)
        if header != SQLITE_HEADER:
            return Refused(_("{name} is not a salesflow database (not an SQLite file)").format(name=name),
                           hint=_("point --db at a salesflow database, or at a new file name"))
        if stated and size < stated:
            return Damaged(_("{name} is truncated ({size:,} of {stated:,} bytes)").format(name=name, size=size, stated=stated), hint=restore)
    if damaged:
        return Damaged(_("{name} is damaged (SQLite: {exc})").format(name=name, exc=exc), hint=_("check it with: salesflow doctor; ") + restore)
    if "readonly" in text or "read-only" in text:
        return Refused(_("{name} cannot be written: the file or its directory is read-only").format(name=name),
                       hint=_("SQLite writes -wal and -shm files beside the database: check both permissions"))
    if "unable to open" in text:
        return Refused(_("cannot open {name}: the file or its directory cannot be opened or written").format(name=name),
                       hint=_("check that the directory exists and that you may write in it"))
    if "full" in text:
        return Refused(_("the disk holding {name} is full; nothing was written").format(name=name),
                       hint=_("free some space and run the command again"))
    if is_busy(exc):
        return Refused(_("{name} stayed locked by another process for {busy_timeout_ms} s; nothing was written").format(name=name, busy_timeout_ms=BUSY_TIMEOUT_MS // 1000),
                       hint=_("another salesflow (or a tool holding the file) is writing: try again in a moment"))
    if "i/o" in text:
        return Refused(_("the disk reported an I/O error on {name}").format(name=name), hint=_("check the disk; ") + restore)
    return Refused(_("database error on {name}: {exc}").format(name=name, exc=exc), hint=_("run with --debug for details"))


def _header(path: Path) -> tuple[bytes, int, int]:
    """(the first 16 bytes, the file's size, the size its header states — 0 when it cannot say)."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
        size = path.stat().st_size
    except OSError:
        return b"", 0, 0
    if len(head) < 100:
        return head[:16], size, 0
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]  # "in-header database size" is valid only then
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0  # pages not yet copied back: the header may be behind
    return head[:16], size, page * pages if valid and not pending else 0


def _begin_immediate(conn: sqlite3.Connection) -> None:
    patiently(conn, lambda: conn.execute("BEGIN IMMEDIATE"))


def patiently(conn: sqlite3.Connection, step: Callable[[], T]) -> T:
    """`step()`, waiting up to the busy timeout while another process holds a lock — in short slices, so
    that Ctrl-C or SIGTERM ends the wait at once: SQLite's own busy handler sleeps in C, where Python
    cannot run a signal handler until the whole timeout has passed."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    conn.execute(f"PRAGMA busy_timeout = {WAIT_SLICE_MS}")
    try:
        while True:
            try:
                return step()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() > deadline:
                    raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


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
