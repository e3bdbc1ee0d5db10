"""Setting up: `init`, `doctor`, `where`, `pipeline show|export|load`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from salesflow.cli.app import command_module, sub_app
from salesflow.cli.env import resolve
from salesflow.cli.options import Format, FormatOpt, OutputOpt
from salesflow.i18n import _

commands = command_module()
pipeline_app = sub_app("pipeline", "Show, export and load pipeline definitions (stages, criteria, SLAs).")


@commands.command("init")
def init(
    ctx: typer.Context,
    template: Annotated[str, typer.Option("--template", "-t", help="Pipeline template: standard, manufacturing or saas.")] = "standard",
    currency: Annotated[Optional[str], typer.Option(
        "--currency", metavar="CODE", help="The database's currency (ISO 4217: CNY, USD, EUR …). Default: CNY.")] = None,
) -> None:
    """Create the database with a pipeline template (or add another template's pipeline to it)."""
    from salesflow.app import setup

    env = resolve(ctx)
    for line in setup.init_db(env.db, template, env.act("init"), currency=currency):
        print(line, file=sys.stderr)


@commands.command("doctor")
def doctor(
    ctx: typer.Context,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    repair: Annotated[bool, typer.Option(
        "--repair", help="First rebuild what is derived (each deal's stored facts, progressed_at) from the base tables.")] = False,
) -> None:
    """Check the database: integrity, WAL, schema version, file permissions, orphans, stages vs events, derived facts."""
    from salesflow.app.doctor import checkup, damaged_report
    from salesflow.output.emit import emit
    from salesflow.store.db import Damaged

    env = resolve(ctx)
    if repair:
        from salesflow.app.doctor import repair as rebuild

        for line in rebuild(env.conn(), env.act("doctor --repair")):
            print(line, file=sys.stderr)
    try:
        report, problem = checkup(env.conn(), env.db)
    except Damaged as exc:  # it cannot even be opened: that is doctor's finding, not an error
        report, problem = damaged_report(env.db_path, exc.message)
    emit(report, fmt.value, env.style(), output)
    if problem:
        raise typer.Exit(1)


@commands.command("where")
def where(ctx: typer.Context) -> None:
    """Print the database path in use, where that setting came from, and whether it exists."""
    env = resolve(ctx)
    if env.on_postgres:
        from salesflow.store.db import shown

        print(_("database: {path}").format(path=shown(env.db)))
        print(_("from:     {source}").format(source=env.db_source))
        print(_("kind:     PostgreSQL"))
        return
    print(_("database: {path}").format(path=env.db_path))
    print(_("from:     {source}").format(source=env.db_source))
    print(_("exists:   {answer}").format(answer=_("yes") if env.db_path.exists() else _("no")))


@pipeline_app.command("show")
def pipeline_show(
    ctx: typer.Context,
    key: Annotated[Optional[str], typer.Argument(help="Pipeline key; default: the database's default pipeline.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """Show a pipeline's stages with priors, idle limits, entry and exit criteria."""
    from salesflow.app import setup
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(setup.pipeline_report(env.conn(), key), fmt.value, env.style(), output)


@pipeline_app.command("export")
def pipeline_export(
    ctx: typer.Context,
    key: Annotated[Optional[str], typer.Argument(help="Pipeline key; default: the database's default pipeline.")] = None,
    output: OutputOpt = None,
) -> None:
    """Print a pipeline's TOML definition, to edit and load back."""
    from salesflow.app import setup

    env = resolve(ctx)
    from salesflow.output.emit import write_text

    write_text(setup.pipeline_export(env.conn(), key), output)


@pipeline_app.command("load")
def pipeline_load(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(metavar="FILE.toml", help="A pipeline definition in TOML.")] = None,
    template: Annotated[Optional[str], typer.Option("--template", help="Instead of a file: a shipped template (standard, manufacturing, saas), e.g. to get its new playbook after an upgrade.")] = None,
) -> None:
    """Validate a TOML pipeline definition and store it (adds a new pipeline or replaces one)."""
    from salesflow.app import setup
    from salesflow.domain.errors import UsageProblem

    env = resolve(ctx)
    if (file is None) == (template is None):
        raise UsageProblem(_("give a FILE.toml or --template NAME"), hint=_("e.g. salesflow pipeline load mine.toml, or salesflow pipeline load --template standard"))
    if template is not None:
        print(setup.load_pipeline_template(env.conn(), template, env.act("pipeline load")), file=sys.stderr)
    else:
        print(setup.load_pipeline_file(env.conn(), file, env.act("pipeline load")), file=sys.stderr)


@commands.command("demo")
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Random seed: the same seed and --now give the same database.")] = 7,
    rep: Annotated[str, typer.Option("--rep", help="Whose morning list to show.")] = "wang",
) -> None:
    """Build a realistic demo database (10 reps, 340 customers, 600 deals over six months) and show a morning.

    Writes to --db / SALESFLOW_DB when given and new (an existing file is refused), else to demo.db
    in the data directory (demo-2.db, … when that exists). It never touches an existing database.
    """
    from salesflow.app.demo import build_demo, demo_target, overview
    from salesflow.cli.env import default_db_path
    from salesflow.output.emit import emit_sections

    env = resolve(ctx)
    path = demo_target(None if env.db_source == "default" else env.db, lambda: default_db_path().parent)
    counts = build_demo(path, env.now, seed)
    from salesflow.store.db import shown as named

    shown = named(path)
    print(_("demo database: {path}\n").format(path=shown), flush=True)
    print(_("built {reps} reps, {customers} customers, {deals} deals, {touches} touches, {stage_events} stage events").format(reps=counts['reps'], customers=counts['customers'], deals=counts['deals'], touches=counts['touches'], stage_events=counts['stage_events']), file=sys.stderr)
    emit_sections(overview(path, rep, env.now), "table", env.style())
    print(_("\nnext: export SALESFLOW_DB={path} SALESFLOW_REP={rep}   (whose list `due` shows; or --as REP)\n      then try: salesflow due, salesflow why DEAL, salesflow due --all, salesflow health, salesflow silent").format(path=shown, rep=rep),
          file=sys.stderr)


@commands.command("copy")
def copy(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FROM", help="The database to copy: a file, or a postgresql:// URL.")],
    target: Annotated[str, typer.Argument(metavar="TO", help="Where to: a new file, or an empty PostgreSQL database's URL.")],
) -> None:
    """Copy a whole database, SQLite ↔ PostgreSQL: every table, ids kept, change log included; the target must be empty."""
    from salesflow.app.copy import copy_database
    from salesflow.store.db import locate

    resolve(ctx)
    lines = copy_database(locate(source, "FROM"), locate(target, "TO"), _progress())
    for line in lines:
        print(line, file=sys.stderr)


def _progress():
    """A line on stderr per table and 100,000 rows, on a terminal only (a pipe or cron gets the summary)."""
    if not sys.stderr.isatty():
        return None

    def shown(table: str, n: int) -> None:
        if n % 100_000 < 5_000:
            print(f"\r  {table}: {n:,}", end="", file=sys.stderr, flush=True)

    return shown


config_app = sub_app("config", "Per-database settings, such as the urgency weights of `due`.")


@config_app.command("show")
def config_show(ctx: typer.Context, fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """List settings with their values and defaults."""
    from salesflow.app import setup
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(setup.config_report(env.conn()), fmt.value, env.style(), output)


@config_app.command("set")
def config_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting, e.g. urgency.due (see: salesflow config show).")],
    value: Annotated[str, typer.Argument(help="New value.")],
) -> None:
    """Change a setting."""
    from salesflow.app import setup

    env = resolve(ctx)
    print(setup.set_config(env.conn(), key, value, env.act("config set")), file=sys.stderr)
