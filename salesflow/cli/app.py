"""The Typer application: the root group, its error handling, and the global options.

The root group is lazy: it knows every command's name and module (`COMMANDS`) and imports and
builds only the one being run, so `salesflow due` does not pay for `import` or `demo`. `--help`
builds them all. Typer ≥ 0.26 vendors click as `typer._click`; its exception classes are the ones
raised, so they are imported from there (there is no public alias in 0.28).
"""

from __future__ import annotations

import importlib
import os
import signal
import sqlite3
import sys
from typing import Annotated, Any

import typer
from typer import _click as click
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_group

from salesflow import __version__
from salesflow.cli.env import global_options
from salesflow.domain.errors import SalesflowError
from salesflow.i18n import N_, _


# Command name -> its module (top-level commands are registered on the module's `commands`), or
# module:attribute for a command group. The order here is the order in `salesflow --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "due": ("salesflow.cli.due", "Daily work"),
    "why": ("salesflow.cli.due", "Daily work"),
    "lead": ("salesflow.cli.deals:lead_app", "Daily work"),
    "touch": ("salesflow.cli.touches", "Daily work"),
    "did": ("salesflow.cli.touches", "Daily work"),
    "followup": ("salesflow.cli.touches", "Daily work"),
    "note": ("salesflow.cli.touches", "Daily work"),
    "advance": ("salesflow.cli.deals", "Daily work"),
    "win": ("salesflow.cli.deals", "Daily work"),
    "lose": ("salesflow.cli.deals", "Daily work"),
    "reopen": ("salesflow.cli.deals", "Daily work"),
    "set": ("salesflow.cli.deals", "Daily work"),
    "undo": ("salesflow.cli.undo", "Daily work"),
    "show": ("salesflow.cli.deals", "Daily work"),
    "deals": ("salesflow.cli.deals", "Daily work"),
    "playbook": ("salesflow.cli.playbook", "Daily work"),
    "board": ("salesflow.cli.manager", "Manager reports"),
    "dashboard": ("salesflow.cli.manager", "Manager reports"),
    "funnel": ("salesflow.cli.analytics", "Manager reports"),
    "datasette": ("salesflow.cli.web", "Manager reports"),
    "stuck": ("salesflow.cli.analytics", "Manager reports"),
    "health": ("salesflow.cli.analytics", "Manager reports"),
    "review": ("salesflow.cli.analytics:review_app", "Manager reports"),
    "report": ("salesflow.cli.analytics:report_app", "Manager reports"),
    "forecast": ("salesflow.cli.forecast:forecast_app", "Manager reports"),
    "target": ("salesflow.cli.forecast:target_app", "Manager reports"),
    "silent": ("salesflow.cli.due", "Team"),
    "assign": ("salesflow.cli.assign", "Team"),
    "sweep": ("salesflow.cli.assign", "Team"),
    "import": ("salesflow.cli.imports:import_app", "Setup"),
    "export": ("salesflow.cli.export", "Setup"),
    "init": ("salesflow.cli.setup", "Setup"),
    "rep": ("salesflow.cli.reps:rep_app", "Setup"),
    "pipeline": ("salesflow.cli.setup:pipeline_app", "Setup"),
    "config": ("salesflow.cli.setup:config_app", "Setup"),
    "where": ("salesflow.cli.setup", "Setup"),
    "doctor": ("salesflow.cli.setup", "Setup"),
    "demo": ("salesflow.cli.setup", "Setup"),
    "copy": ("salesflow.cli.setup", "Setup"),
}


def load_command(name: str) -> click.Command:
    target, panel = COMMANDS[name]
    module_name, _colon, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    if attribute:
        command = get_group(getattr(module, attribute))
    else:
        info = next(i for i in module.commands.registered_commands if i.name == name)
        command = get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=app.rich_markup_mode)
    command.rich_help_panel = panel  # type: ignore[attr-defined]
    _with_globals(command, root=False)
    return command


class SalesflowGroup(TyperGroup):
    """Builds commands on demand, adds the global options to each, turns every failure into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        if name not in self.commands:
            self.commands[name] = load_command(name)
        return self.commands[name]

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in exc.message:
                exc.message = _("{rstrip}. Did you mean {join}?").format(rstrip=exc.message.rstrip('.'), join=', '.join(repr(m) for m in matches))
            raise

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        entry_point = args is None  # run as the process itself, not from a test runner
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args or bool(os.environ.get("SALESFLOW_DEBUG"))
        self.suggest_commands = False  # resolve_command suggests from COMMANDS, not the loaded few
        _with_globals(self, root=True)
        if entry_point:
            _signals()
        os.umask(0o077)  # everything salesflow creates is owner-only: database, -wal/-shm, exports
        _language(args)
        try:
            _utf8_arguments(args)
            rv = super().main(args=args, prog_name=prog_name or "salesflow", complete_var=complete_var,
                              standalone_mode=False, obj={"argv": args}, **extra)
            code = rv if isinstance(rv, int) else 0
            if code == 130:
                _fail(_("interrupted; the command was rolled back"))
        except click.exceptions.NoArgsIsHelpError as exc:
            print(exc.ctx.get_help())
            code = 0
        except click.exceptions.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else "salesflow"
            _fail(_click_message(_one_line(exc.format_message())), _("see: {path} --help").format(path=path))
            code = 2
        except click.exceptions.ClickException as exc:
            _fail(_one_line(exc.format_message()))
            code = exc.exit_code
        except SalesflowError as exc:
            _fail(exc.message, exc.hint, exc.details)
            code = exc.exit_code
        except typer.Abort:
            _fail(_("interrupted; the command was rolled back"))
            code = 130
        except UnicodeDecodeError as exc:  # read from a damaged page: files and arguments are decoded where read
            if debug:
                raise
            _fail(_("the database holds bytes that are not text ({reason}): it is damaged").format(reason=exc.reason),
                  _("check it with: salesflow doctor"))
            code = 1
        except sqlite3.DatabaseError as exc:  # damaged, full, read-only, locked: said in one line
            if debug:
                raise
            from salesflow.store.db import explain

            failure = explain(exc, None)
            _fail(failure.message, failure.hint)
            code = failure.exit_code
        except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
            if debug:
                raise
            if type(exc).__module__.startswith("psycopg"):  # PostgreSQL said no: in one line, as for SQLite
                from salesflow.store.db import explain_server

                failure = explain_server(exc)
                _fail(failure.message, failure.hint)
                return _exit(failure.exit_code, standalone_mode)
            _fail(_("internal error: {name}: {one_line}").format(name=type(exc).__name__, one_line=_one_line(str(exc))),
                  _("run again with --debug for the traceback, and report it"))
            code = 1
        return _exit(code, standalone_mode)


def _exit(code: int, standalone_mode: bool) -> int:
    if standalone_mode:
        sys.exit(code)
    return code


def _language(args: list[str]) -> None:
    """Messages in the user's language from the first one on (resolve() checks the choice properly)."""
    from salesflow.i18n import from_locale, use

    given = None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith("--lang="):
            given = arg.split("=", 1)[1]
    use((given or os.environ.get("SALESFLOW_LANG") or from_locale(dict(os.environ)) or "en").lower().replace("-", "_")[:2])


def _utf8_arguments(args: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; refuse them before anything uses them."""
    for i, arg in enumerate(args, start=1):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            from salesflow.domain.errors import UsageProblem

            raise UsageProblem(_("argument {i} is not valid UTF-8 text").format(i=i),
                               hint=_("check the terminal's encoding (LANG=zh_CN.UTF-8 or en_US.UTF-8)"))


_CLICK = (  # Click's own usage errors (it ships no catalog): the common ones in the user's language
    (r"No such option: (?P<option>\S+)(?: Did you mean (?P<guess>\S+?)\?)?", N_("No such option: {option}")),
    (r"Missing argument '(?P<name>[^']+)'\.", N_("Missing argument '{name}'.")),
    (r"Missing option '(?P<name>[^']+)'\.", N_("Missing option '{name}'.")),
    (r"No such command '(?P<name>[^']+)'\.(?P<rest>.*)", N_("No such command '{name}'.")),
    (r"Invalid value for (?P<name>.+?): (?P<why>.*)", N_("Invalid value for {name}: {why}")),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)", N_("Unexpected extra arguments: {args}")),
    (r"Option '(?P<name>[^']+)' requires an argument\.", N_("Option '{name}' requires a value.")),
)


def _click_message(text: str) -> str:
    import re

    for pattern, message in _CLICK:
        match = re.fullmatch(pattern, text)
        if match:
            parts = {k: v or "" for k, v in match.groupdict().items()}
            shown = _(message).format(**parts)
            if parts.get("guess"):
                shown += _(" Did you mean {guess}?").format(guess=parts["guess"])
            if parts.get("rest"):
                shown += parts["rest"]
            return shown
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(message: str, hint: str | None = None, details: list[str] | None = None) -> None:
    sys.stdout.flush()
    lines = [_("error: {message}").format(message=_tidy(message)), *(f"  {_tidy(d)}" for d in details or [])]
    if hint:
        lines.append(_("hint: {hint}").format(hint=_tidy(hint)))
    print("\n".join(lines), file=sys.stderr)


def _tidy(text: str) -> str:
    """One safe line: what the user gave is quoted escaped (no terminal sequences) and cut to ~80 characters."""
    import re

    from salesflow.domain.text import QUOTE_MAX, printable, quoted

    text = re.sub("'([^']{%d,})'" % (QUOTE_MAX + 1), lambda m: quoted(m[1]), printable(text.replace("\n", " ")))
    # an unquoted run of thousands of characters (an option name, a value echoed in a hint)
    text = re.sub(r"\S{121,}", lambda m: m[0][:119] + f"…(+{len(m[0]) - 119:,} more)", text)
    return text if len(text) <= 400 else text[:399] + "…"


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM / SIGINT: unwind (the open transaction rolls back on the way out), one line, 143 / 130.
    Raised as SystemExit rather than KeyboardInterrupt so click prints no blank line of its own."""
    if sys.stderr.isatty():  # a prompt may be waiting on the line: the message starts a line of its own
        print(file=sys.stderr)
    _fail(_("interrupted; the command was rolled back") if signum == signal.SIGINT
          else _("terminated; the command was rolled back"))
    raise SystemExit(130 if signum == signal.SIGINT else 143)


def _signals() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, _terminated)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `salesflow deals | head` ends quietly


def _with_globals(command: click.Command, root: bool) -> None:
    if getattr(command, "_salesflow_globals", False):
        return
    command.params.extend(global_options(hidden=not root))
    command._salesflow_globals = True  # type: ignore[attr-defined]
    if not root:
        for sub in getattr(command, "commands", {}).values():
            _with_globals(sub, root=False)


def _version(value: bool) -> None:
    if value:
        print(f"salesflow {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=SalesflowGroup,
    name="salesflow",
    help="Manage the sales process, not just record it: pipelines with criteria, follow-ups, funnel, forecast.",
    no_args_is_help=True,
    add_completion=False,  # --install-completion / --show-completion: added by cli.main when asked for
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_version,
                                          help="Print the version and exit.")] = False,
) -> None:
    """salesflow — sales process management over one local SQLite file.

    Exit codes: 0 ok, 1 refused or bad input, 2 usage error, 3 a --check found something,
    130/143 interrupted (rolled back). Shell completion: salesflow --install-completion.
    """


def sub_app(name: str, help: str) -> typer.Typer:
    """A command group (`rep`, `pipeline`, `lead`), built only when used."""
    return typer.Typer(name=name, help=help, no_args_is_help=True, add_completion=False,
                       context_settings={"help_option_names": ["-h", "--help"]})


def command_module() -> typer.Typer:
    """The holder of a module's top-level commands; `COMMANDS` says which module has which."""
    return typer.Typer(add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})
