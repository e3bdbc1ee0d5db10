"""Global options and the environment, resolved in one function into an `Env` passed to commands.

Precedence: a flag (before or after the command name) > its environment variable > the default.
`--db` > SALESFLOW_DB > the user data directory; `--now` > SALESFLOW_NOW > the real clock;
`--as` > SALESFLOW_REP > the OS user name; `--lang` > SALESFLOW_LANG > a Chinese LANG → zh.
"""

from __future__ import annotations

import getpass
import os
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import typer
from typer.core import TyperOption
from salesflow.i18n import _

GLOBALS_KEY = "salesflow.globals"
PANEL = "Global options (also accepted after the command name)"


def _remember(ctx: typer.Context, param, value):
    if value is not None and value is not False:
        ctx.find_root().meta.setdefault(GLOBALS_KEY, {})[param.name] = value
    return value


def _complete_reps(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    from salesflow.cli import complete

    return complete.reps(ctx, incomplete)


def global_options(hidden: bool) -> list[TyperOption]:
    """The same global options for the root and (hidden from help) for every subcommand."""
    common = dict(expose_value=False, callback=_remember, hidden=hidden, rich_help_panel=PANEL)
    return [
        TyperOption(param_decls=["--db"], metavar="PATH", help="Database file, or a postgresql:// URL. Env: SALESFLOW_DB. Default: see `salesflow where`.", **common),
        TyperOption(param_decls=["--now"], metavar="WHEN", help="Pretend it is this time: YYYY-MM-DD or YYYY-MM-DDTHH:MM. Env: SALESFLOW_NOW.", **common),
        TyperOption(param_decls=["--as", "as_"], metavar="REP", help="Act as this rep (handle). Env: SALESFLOW_REP. Default: the OS user name.",
                    autocompletion=_complete_reps, **common),
        TyperOption(param_decls=["--lang"], metavar="en|zh", help="Language of every message: en or zh. Env: SALESFLOW_LANG; else the locale (LANG=zh_CN.UTF-8: zh).", **common),
        TyperOption(param_decls=["--color"], metavar="auto|always|never", help="Colour in tables. NO_COLOR is honoured with auto.", **common),
        TyperOption(param_decls=["--wide"], is_flag=True, default=False, help="On a terminal: every column, nothing cut (lines may be wider than the screen).", **common),
        TyperOption(param_decls=["--debug"], is_flag=True, default=False, help="Show the traceback of unexpected errors.", **common),
    ]


@dataclass
class Env:
    db: Path | str  # an SQLite file, or a postgresql:// URL (store/backend.py)
    db_source: str
    now: datetime
    rep: str | None
    lang: str
    color: str
    debug: bool
    wide: bool = False
    argv: list[str] = field(default_factory=list)
    phone_region: str | None = None  # SALESFLOW_PHONE_REGION: phones typed without +code (checked where used)
    _conn: sqlite3.Connection | None = None

    @property
    def db_path(self) -> Path:
        """The SQLite file: for what only a file has (its directory, a backup beside it, Datasette)."""
        if isinstance(self.db, str):
            from salesflow.domain.errors import Refused
            from salesflow.store.db import shown

            raise Refused(_("this command works on an SQLite file, not on {url}").format(url=shown(self.db)),
                          hint=_("run it with --db FILE (salesflow copy moves a database between the two)"))
        return self.db

    @property
    def on_postgres(self) -> bool:
        return isinstance(self.db, str)

    @property
    def by(self) -> str:
        """Who a write is recorded as: the rep --as names, by their handle however it was typed (`WANG`,
        `王伟` → `wang`), so that `undo` and every report see one person; else the text given, else the
        OS user name (no registered rep needed)."""
        if self.on_postgres:
            return self.me
        given = self.rep or os_user()
        if self._conn is None and not self.db_path.exists():
            return given  # `init`, `demo`: no reps yet
        from salesflow.app.reps import handle_of
        from salesflow.domain.errors import SalesflowError

        try:
            conn = self.conn()
        except SalesflowError:  # `init` of an empty file: not a database yet, so no reps either
            return given
        return handle_of(conn, given) or given

    @property
    def me(self) -> str:
        """Whose list `due` shows and who a write is recorded as. On PostgreSQL a rep is the database role
        they logged in as: the policies see that role, so --as may only name it (an admin's account, a
        role that is no rep, may act as anyone)."""
        given = self.rep or os_user()
        if not self.on_postgres:
            return given
        from salesflow.app.reps import logged_in_as
        from salesflow.domain.errors import NotFound

        try:
            conn = self.conn()
        except NotFound:  # `init`, `demo`: no schema yet, so no reps either
            return given
        return logged_in_as(conn, given, self.rep)

    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.on_postgres:
                from salesflow.store.db import open_database

                self._conn = open_database(self.db)
                return self._conn
            from salesflow.store.db import network_filesystem, open_db

            self._conn = open_db(self.db_path)
            fs = network_filesystem(self.db_path)
            if fs:
                print(_("warning: {db_path} is on a network filesystem ({fs}); SQLite's locking is not safe there — keep it on the host's local disk and share with: ssh HOST salesflow …").format(db_path=self.db_path, fs=fs), file=sys.stderr)
        return self._conn

    def act(self, command: str):
        from salesflow.app.context import Act

        from salesflow.store.db import shown_args

        return Act(now=self.now, by=self.by, command=command, args=" ".join(shown_args(self.argv)))

    def style(self):
        from salesflow.output.emit import Style

        terminal = sys.stdout.isatty()
        currency = None
        if self._conn is not None:  # the command read a database: its tables name its currency
            from salesflow.app.currency import currency_code

            currency = currency_code(self._conn)
        if self.color == "always":
            return Style(self.lang, True, True, _width(), self.wide, currency)
        color = self.color == "auto" and terminal and not os.environ.get("NO_COLOR")
        return Style(self.lang, terminal, color, _width(), self.wide, currency)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _width() -> int | None:
    """The width tables fit: $COLUMNS when set, else the terminal's; None (no limit) for a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((100, 24)).columns


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database entry in some containers
        return "unknown"


def resolve(ctx: typer.Context) -> Env:
    """Build (once per invocation) the Env from flags and environment variables."""
    root = ctx.find_root()
    if isinstance(root.obj, Env):
        return root.obj
    given = root.meta.get(GLOBALS_KEY, {})
    environ = os.environ
    db_text = given.get("db") or environ.get("SALESFLOW_DB")
    if db_text:
        from salesflow.store.db import locate

        db_source = "--db" if given.get("db") else "SALESFLOW_DB"
        db = locate(db_text, db_source)
    else:
        db, db_source = default_db_path(), "default"
    now_text = given.get("now") or environ.get("SALESFLOW_NOW")
    if now_text:
        from salesflow.domain.dates import parse_now
        from salesflow.domain.errors import BadInput, UsageProblem

        try:
            now = parse_now(now_text)
        except BadInput as exc:
            raise UsageProblem(exc.message, hint=exc.hint) from None
    else:
        now = datetime.now().replace(microsecond=0)
    lang_raw = given.get("lang") or environ.get("SALESFLOW_LANG") or ""
    lang = lang_raw.strip().lower().replace("-", "_")
    if lang.startswith(("zh_", "en_")):  # zh_CN, zh-TW, en_US: the language is what counts
        lang = lang[:2]
    if not lang:
        from salesflow.i18n import from_locale

        lang = from_locale(environ) or "en"
    if lang not in ("en", "zh"):
        from salesflow.domain.errors import UsageProblem

        where = "--lang" if given.get("lang") else "SALESFLOW_LANG"
        raise UsageProblem(_("{where} {lang!r} is not a language").format(where=where, lang=lang_raw),
                           hint=_("use --lang en or --lang zh"))
    color = (given.get("color") or "auto").lower()
    if color not in ("auto", "always", "never"):
        from salesflow.domain.errors import UsageProblem

        raise UsageProblem(_("--color {color!r} is not a choice").format(color=color), hint=_("use auto, always or never"))
    rep = given.get("as_") or environ.get("SALESFLOW_REP") or None
    if rep is not None:
        from salesflow.domain.errors import UsageProblem
        from salesflow.domain.text import has_control

        if has_control(rep) or len(rep) > 100 or not rep.strip():
            raise UsageProblem(_("--as (or SALESFLOW_REP) must be a rep's handle or name: plain text, at most 100 characters"),
                               hint=_("e.g. --as wang"))
        rep = rep.strip()
    argv = root.obj.get("argv", []) if isinstance(root.obj, dict) else []
    from salesflow.i18n import use

    use(lang)
    env = Env(db=db, db_source=db_source, now=now, rep=rep, lang=lang, color=color,
              debug=bool(given.get("debug")), wide=bool(given.get("wide")), argv=list(argv), phone_region=environ.get("SALESFLOW_PHONE_REGION") or None)
    root.obj = env
    root.call_on_close(env.close)
    return env


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("salesflow", appauthor=False)) / "salesflow.db"


def echo(outcome) -> None:
    """An app Outcome: its lines are data (stdout), its notes are messages (stderr); never a terminal sequence."""
    from salesflow.domain.text import printable

    for line in outcome.lines:
        print(printable(line))
    sys.stdout.flush()
    for note in outcome.notes:
        print(printable(note), file=sys.stderr)


def write_page(text: str, output) -> None:
    """A finished page (Markdown, HTML) to -o FILE or stdout; a file written is said on stderr."""
    from salesflow.domain.text import printable
    from salesflow.i18n import _
    from salesflow.output.emit import write_text

    write_text(text, output)
    if output is not None:
        print(_("wrote {output}").format(output=printable(str(output))), file=sys.stderr)
