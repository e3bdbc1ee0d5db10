"""PostgreSQL: the connection the store's code talks to when the database is a `postgresql://` URL.

The store is written once, against the DB-API shape of Python's sqlite3 (`conn.execute(sql, params)`,
rows read by name or position, BEGIN/COMMIT as statements). `Connection` gives psycopg 3 that shape:

| SQLite                          | here                                                              |
|---------------------------------|-------------------------------------------------------------------|
| `:name` and `?` placeholders    | psycopg's `%(name)s` and `%s` (text in quotes and comments left alone) |
| `BEGIN IMMEDIATE`               | `BEGIN ISOLATION LEVEL SERIALIZABLE` + the database's advisory write lock: writers take turns, as on SQLite |
| `BEGIN` (a read snapshot)       | `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`                 |
| `PRAGMA busy_timeout`           | nothing: PostgreSQL waits for row locks itself                    |
| scalar `MAX(a, b)`, `MIN(a, b)` | `GREATEST`, `LEAST` (callers keep NULLs out: the two differ there) |
| `group_concat(x, ',')`          | `string_agg(x, ',')`                                              |
| `instr(text, part)`             | `strpos(text, part)`                                              |
| `json_each(:array)`             | `json_array_elements_text(CAST(:array AS json))` (column `value`) |
| `strftime('%s', t)`, `julianday(t)` | the same numbers from `EXTRACT(EPOCH FROM CAST(t AS timestamp))` |
| `ORDER BY x` (NULLs first), `x DESC` (NULLs last) | the same, said: `NULLS FIRST` / `NULLS LAST` |
| `FROM (SELECT …)` without a name | `FROM (SELECT …) AS subquery_1`                                  |
| `sqlite3.Row`                   | `Row`: by name (`row["owner"]`) and by position (`row[0]`)        |

psycopg is imported here only, and this module only for a `postgresql://` URL (store/backend.py), so
SQLite commands never load it (a test runs one and checks). The schema history is schema.PG_MIGRATIONS,
recorded in `schema_migrations`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from salesflow.domain.errors import NotFound, Refused, SalesflowError
from salesflow.i18n import _

EXTRA_HINT = "pip install 'salesflow[postgres]'"
MIGRATIONS_TABLE = "schema_migrations"
LAST_URL: str | None = None  # the database this process connected to, for error messages
WRITE_LOCK = 0x5A1E5F10  # the advisory lock every write transaction takes (one database, one writer at a time)

# Tokens: a quoted string or name, a comment, a cast (::), a named or positional placeholder, a word
# (dotted names whole), space, or any one character.
_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|:[A-Za-z_]\w*|\?|[A-Za-z_][\w.]*|\s+|.""", re.S)
_ORDER_ENDS = frozenset({"LIMIT", "OFFSET", "ROWS", "RANGE", "GROUPS", "UNION", "EXCEPT", "INTERSECT", "WINDOW"})


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The statement as PostgreSQL and psycopg take it (the table in the module's docstring): placeholders,
    SQLite's scalar MAX/MIN and group_concat, json_each over a JSON array parameter, and every ORDER BY term
    with SQLite's place for NULLs made explicit (first ascending, last descending), so rows come back in
    the same order. Text in quotes and comments is left as it is."""
    stripped = sql.strip().upper()
    if stripped == "BEGIN":  # a read: one snapshot (doctor's comparison, copy's source)
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    tokens = _TOKENS.findall(sql)
    out = list(tokens)
    for i, tok in enumerate(tokens):
        if tok.startswith(":") and tok != "::" and len(tok) > 1:
            out[i] = f"%({tok[1:]})s"
        elif tok == "?":
            out[i] = "%s"
        elif tok == "%" or (tok[0] in "'\"" and "%" in tok):  # psycopg reads every % as a placeholder's start
            out[i] = tok.replace("%", "%%")
    _functions(tokens, out)
    _order_by(tokens, out)
    _aliases(tokens, out)
    return "".join(out)


def _next(tokens: list[str], i: int) -> int:
    """The index of the next token after i that is not space or a comment."""
    i += 1
    while i < len(tokens) and (tokens[i].isspace() or tokens[i].startswith("--")):
        i += 1
    return i


def _close(tokens: list[str], open_at: int) -> tuple[int, int]:
    """(index of the parenthesis closing the one at open_at, commas at its top level)."""
    depth, commas = 0, 0
    for j in range(open_at, len(tokens)):
        if tokens[j] == "(":
            depth += 1
        elif tokens[j] == ")":
            depth -= 1
            if depth == 0:
                return j, commas
        elif tokens[j] == "," and depth == 1:
            commas += 1
    raise ValueError("unbalanced parentheses")


def _functions(tokens: list[str], out: list[str]) -> None:
    for i, tok in enumerate(tokens):
        word = tok.upper()
        if word not in ("MAX", "MIN", "GROUP_CONCAT", "JSON_EACH", "STRFTIME", "JULIANDAY", "INSTR"):
            continue
        j = _next(tokens, i)
        if j >= len(tokens) or tokens[j] != "(":
            continue
        end, commas = _close(tokens, j)
        if word in ("MAX", "MIN") and commas:  # SQLite's scalar form (every caller keeps NULLs out)
            out[i] = "GREATEST" if word == "MAX" else "LEAST"
        elif word == "GROUP_CONCAT":
            out[i] = "string_agg"
        elif word == "INSTR":
            out[i] = "strpos"
        elif word == "JSON_EACH":  # a JSON array parameter, one row per element in column `value`
            out[i] = "json_array_elements_text"
            out[j] = "(CAST("
            out[end] = " AS json))"
        elif word == "JULIANDAY":  # of an ISO time text: days since the Julian epoch, a float
            out[i], out[j] = "(EXTRACT(EPOCH FROM CAST(", ""
            out[end] = " AS timestamp)) / 86400.0 + 2440587.5)"
        elif word == "STRFTIME":  # only strftime('%s', time): seconds since 1970
            first = _next(tokens, j)
            comma = _next(tokens, first)
            if tokens[first] != "'%s'" or tokens[comma] != ",":
                raise ValueError("strftime other than '%s' has no PostgreSQL form here")
            out[i], out[j] = "CAST(EXTRACT(EPOCH FROM CAST(", ""
            for k in range(j + 1, comma + 1):
                out[k] = ""
            out[end] = " AS timestamp)) AS BIGINT)"


_AFTER_SUBQUERY = frozenset({"WHERE", "GROUP", "ORDER", "JOIN", "LEFT", "INNER", "CROSS", "ON", "LIMIT", "UNION",
                             "EXCEPT", "INTERSECT", "HAVING", "WINDOW", ")", ";", ","})


def _aliases(tokens: list[str], out: list[str]) -> None:
    """A subquery in FROM or JOIN gets a name where it has none (SQLite allows that; PostgreSQL 15 does not)."""
    n = 0
    for i, tok in enumerate(tokens):
        if tok.upper() not in ("FROM", "JOIN"):
            continue
        j = _next(tokens, i)
        if j >= len(tokens) or tokens[j] != "(":
            continue
        k = _next(tokens, j)
        if k >= len(tokens) or tokens[k].upper() not in ("SELECT", "WITH", "VALUES"):
            continue  # a table function's arguments, not a subquery
        end, _commas = _close(tokens, j)
        after = _next(tokens, end)
        if after >= len(tokens) or tokens[after].upper() in _AFTER_SUBQUERY:
            n += 1
            out[end] += f" AS subquery_{n}"


def _order_by(tokens: list[str], out: list[str]) -> None:
    i = 0
    while i < len(tokens):
        if tokens[i].upper() == "ORDER":
            j = _next(tokens, i)
            if j < len(tokens) and tokens[j].upper() == "BY":
                i = _order_terms(tokens, out, j + 1)
                continue
        i += 1


def _order_terms(tokens: list[str], out: list[str], start: int) -> int:
    depth, term = 0, []  # indexes of the current term's tokens
    k = start
    while k <= len(tokens):
        tok = tokens[k] if k < len(tokens) else ";"
        ends = depth == 0 and (tok in (")", ";", ",") or tok.upper() in _ORDER_ENDS)
        if ends:
            words = [tokens[t].upper() for t in term if not tokens[t].isspace()]
            if words and "NULLS" not in words:
                last = max(t for t in term if not tokens[t].isspace())
                out[last] += " NULLS LAST" if words[-1] == "DESC" else " NULLS FIRST"
            term = []
            if tok != ",":
                return k
        else:
            if tok == "(":
                depth += 1
            elif tok == ")":
                depth -= 1
            term.append(k)
        k += 1
    return k


class Row(tuple):
    """A result row read by position or by column name, like sqlite3.Row."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor):
    names = [c.name for c in cursor.description or ()]
    cls = type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})
    return lambda values: cls(values)


class Cursor:
    """What a statement returns: rows to iterate or fetch, and how many rows it changed."""

    def __init__(self, cursor):
        self._cursor = cursor

    def __iter__(self) -> Iterator[Row]:
        if self._cursor.description is None:
            return iter(())
        return iter(self._cursor)

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description is not None else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description is not None else []

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self):
        return self._cursor.description


class _Empty(Cursor):
    def __init__(self):
        pass

    def __iter__(self):
        return iter(())

    def fetchone(self):
        return None

    def fetchall(self):
        return []

    rowcount = 0  # type: ignore[assignment]
    description = None


class Connection:
    """A psycopg connection with sqlite3's shape (see the table above). Autocommit, as the SQLite
    connection is (isolation_level=None): transactions are the BEGIN/COMMIT statements store.db sends."""

    dialect = "postgresql"
    row_factory = None  # set by callers of sqlite3 connections; rows here are always Row

    def __init__(self, raw, url: str):
        self._raw = raw
        self.url = url
        self._locked = False  # holding the write lock (between BEGIN IMMEDIATE and COMMIT/ROLLBACK)

    def execute(self, sql: str, params: Sequence | dict | None = None) -> Cursor:
        statement = sql.strip()
        if statement[:6].upper() == "PRAGMA":
            return _Empty()  # busy_timeout and foreign_keys: PostgreSQL waits on locks and enforces keys itself
        upper = statement.upper()
        if upper == "BEGIN IMMEDIATE":
            self._begin_write()
            return _Empty()
        if upper in ("COMMIT", "ROLLBACK"):
            try:
                self._raw.execute(upper)
            finally:
                self._unlock()
            return _Empty()
        cursor = self._raw.cursor(row_factory=_row_factory)
        cursor.execute(translate(sql), _params(params))
        return Cursor(cursor)

    def _begin_write(self) -> None:
        """A command's transaction, as SQLite's BEGIN IMMEDIATE: the database's write lock first (a session
        advisory lock, so that the transaction's snapshot is taken after it is held and sees every write
        committed before), then SERIALIZABLE. Writers take turns — their commit order is the order they ran
        in, an id is the largest so far plus one — while reads go on from their snapshots. A lock held
        longer than the busy timeout ends the command (lock_not_available), as on SQLite."""
        from salesflow.store.db import BUSY_TIMEOUT_MS

        raw = self._raw
        raw.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_MS)}")
        raw.execute(f"SELECT pg_advisory_lock({WRITE_LOCK})")
        self._locked = True
        try:
            raw.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            if self._raw.info.transaction_status == _idle():  # not inside a failed transaction
                self._raw.execute(f"SELECT pg_advisory_unlock({WRITE_LOCK})")

    def executemany(self, sql: str, rows: Iterable[Sequence | dict]) -> Cursor:
        cursor = self._raw.cursor(row_factory=_row_factory)
        cursor.executemany(translate(sql), [_params(r) for r in rows])
        return Cursor(cursor)

    def copy_in(self, table: str, names: list[str], rows: Iterable[Sequence]) -> None:
        """Rows into a table with COPY (`salesflow copy`'s fast path): not for a role bound by the table's
        row-level security, which PostgreSQL refuses COPY FROM (see bound_by_policies)."""
        with self._raw.cursor().copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def bound_by_policies(self, table: str) -> bool:
        return bool(self._raw.execute("SELECT row_security_active(%s)", (table,)).fetchone()[0])

    def cursor(self) -> "TupleCursor":
        """sqlite3's `conn.cursor()` with `row_factory = None`: rows as plain tuples (the million-row paths)."""
        return TupleCursor(self)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        """sqlite3's commit(): ends an open transaction (statements outside one were committed already)."""
        if self.in_transaction:
            self.execute("COMMIT")

    def close(self) -> None:
        self._raw.close()  # a session's advisory locks end with it


def _numbers(raw) -> None:
    """numeric (what PostgreSQL's SUM of BIGINT and AVG return) read as Python numbers, the way SQLite gives
    them: an int when whole (a sum of money stays exact minor units), else a float — never a Decimal."""
    from psycopg.adapt import Loader

    class Number(Loader):
        def load(self, data):
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)  # AVG's "2.0000": 2.0, as SQLite

    raw.adapters.register_loader("numeric", Number)


class TupleCursor:
    row_factory = None  # assigned by callers written for sqlite3; rows here are tuples regardless

    def __init__(self, conn: Connection):
        self._conn = conn

    def execute(self, sql: str, params: Sequence | dict | None = None):
        cursor = self._conn._raw.cursor()
        cursor.execute(translate(sql), _params(params))
        return cursor


def _idle():
    from psycopg.pq import TransactionStatus

    return TransactionStatus.IDLE


def _params(params: Any) -> Any:
    if params is None:
        return ()  # never None: with parameters psycopg reads %% as %, which translate() writes
    if isinstance(params, dict):
        return params
    return tuple(params)


def redact(url: str) -> str:
    """The URL as it may be printed or stored: a password in it — `user:secret@`, `?password=secret`, or
    `password=secret` in a key/value string — replaced by ***."""
    url = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
    return re.sub(r"(?i)(\bpassword=)('(?:[^'\\]|\\.)*'|[^&\s]*)", r"\1***", url)


def import_psycopg():
    try:
        import psycopg
    except ImportError:
        raise Refused(_("this salesflow cannot open a PostgreSQL database: psycopg is not installed"),
                      hint=_("install the extra: {command}").format(command=EXTRA_HINT)) from None
    return psycopg


def connect(url: str, *, create: bool = False) -> Connection:
    """Connect to the database at `url` (libpq's PG* variables and ~/.pgpass apply), check its schema and,
    with `create` or when it is behind, migrate it in one transaction."""
    psycopg = import_psycopg()
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=15, application_name="salesflow",
                              cursor_factory=psycopg.ClientCursor)
    except psycopg.Error as exc:
        raise Refused(_("cannot connect to {url}: {reason}").format(url=redact(url), reason=_first_line(exc)),
                      hint=_("check the URL, that the server runs, and your PG* variables or ~/.pgpass")) from None
    _numbers(raw)
    from salesflow.store.db import BUSY_TIMEOUT_MS

    # reads wait for a lock no longer than writes do: a session holding a table lock (LOCK TABLE, any role
    # with UPDATE may) ends a report with "stayed locked" after the busy timeout instead of hanging it
    raw.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_MS)}")
    global LAST_URL
    LAST_URL = url
    conn = Connection(raw, url)
    try:
        state = schema_state(conn)
        if state is None and not create:
            raise NotFound(_("{url} has no salesflow schema").format(url=redact(url)),
                           hint=_("create it with: salesflow init --db URL"))
        migrate(conn, () if state is None else state)
    except BaseException:
        conn.close()
        raise
    return conn


def schema_state(conn: Connection) -> tuple[str, ...] | None:
    """The migrations applied (None: an empty database); refuses a foreign or newer one."""
    from salesflow.store.schema import NAMES

    url = redact(conn.url)
    if conn.execute(f"SELECT to_regclass('{MIGRATIONS_TABLE}')").fetchone()[0] is None:  # one catalog probe
        tables = conn.execute("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v') LIMIT 1").fetchone()
        if tables is None:
            return None
        raise Refused(_("{path} is not a salesflow database (it has other tables)").format(path=url),
                      hint=_("point --db at a salesflow database, or at a new, empty database"))
    applied = tuple(r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id"))
    unknown = [name for name in applied if name not in NAMES]
    if unknown:
        raise Refused(_("{path} was written by a newer salesflow (schema {unknown})").format(path=url, unknown=unknown[-1]),
                      hint=_("upgrade salesflow: pip install -U salesflow"))
    return applied


def applied(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id")]


def migrate(conn: Connection, applied: tuple[str, ...]) -> None:
    """The pending PostgreSQL forms in one transaction, under the write lock: all or nothing (PostgreSQL's
    DDL is transactional, so no backup copy is needed for a failed migration; `pg_dump` is the backup)."""
    from salesflow.store.schema import PG_MIGRATIONS

    if all(name in applied for name, _ddl in PG_MIGRATIONS):
        return
    conn.execute("BEGIN IMMEDIATE")  # the write lock: of two first commands, one migrates
    try:
        conn.execute(f"""CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
        done = {r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}  # again, under the lock
        for name, ddl in PG_MIGRATIONS:
            if name in done:
                continue
            code = "\n".join(line.split("--", 1)[0] for line in ddl.splitlines())
            conn._raw.execute(code)  # DDL as written, whole (DO blocks hold ';'): no placeholders to translate
            conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name) VALUES (?)", (name,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def explain(exc: BaseException, url: str | None = None) -> SalesflowError:
    """What a PostgreSQL failure means for the user, in one line."""
    import psycopg

    name = redact(url or LAST_URL or "PostgreSQL")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return Refused(_("{name}: your database role may not do that ({reason})").format(name=name, reason=_first_line(exc)),
                       hint=_("ask an admin for the rights, or run as a role that has them"))
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        from salesflow.store.db import BUSY_TIMEOUT_MS

        return Refused(_("{name} stayed locked by another process for {busy_timeout_ms} s; nothing was written").format(
            name=name, busy_timeout_ms=BUSY_TIMEOUT_MS // 1000),
            hint=_("another salesflow (or a tool holding the file) is writing: try again in a moment"))
    if isinstance(exc, psycopg.errors.SerializationFailure):
        return Refused(_("{name}: another command changed the same rows at the same time; nothing was written").format(name=name),
                       hint=_("run the command again"))
    if isinstance(exc, psycopg.OperationalError):
        return Refused(_("lost the connection to {name}: {reason}").format(name=name, reason=_first_line(exc)),
                       hint=_("check that the server runs, then run the command again"))
    return Refused(_("database error on {name}: {exc}").format(name=name, exc=_first_line(exc)),
                   hint=_("run with --debug for details"))
