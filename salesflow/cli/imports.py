"""`import deals|touches`: parse the options, show progress on stderr, print the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from salesflow.cli.app import sub_app
from salesflow.cli.env import echo, resolve
from salesflow.cli.options import Format

import_app = sub_app("import", "Bring deals and touches in from another CRM or a spreadsheet (CSV, TSV, XLSX).")

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="CSV, TSV or XLSX file.", show_default=False)]
PresetOpt = Annotated[Optional[str], typer.Option(
    "--preset", help="pipedrive, hubspot, salesforce, excel-zh or salesflow (our own export). Default: detected from the header.")]
MapOpt = Annotated[Optional[list[str]], typer.Option(
    "--map", metavar="SRC=FIELD", help="Column SRC feeds FIELD (an export column name, fields.KEY, or - to drop). Repeatable.")]
EncodingOpt = Annotated[Optional[str], typer.Option(
    "--encoding", help="File encoding. Default: a BOM, else UTF-8, else GB18030 (printed).")]
DelimiterOpt = Annotated[Optional[str], typer.Option("--delimiter", help=", ; tab or |. Default: sniffed (printed).")]
DateFormatOpt = Annotated[Optional[str], typer.Option(
    "--date-format", help="dmy, mdy, ymd or a strftime pattern (%d.%m.%Y). Needed when 03/04/2026 could be either.")]
RejectsOpt = Annotated[Optional[Path], typer.Option(
    "--rejects", metavar="FILE", help="Write bad rows here (with line and reason) and import the rest.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would be created, updated and skipped; write nothing.")]
PreviewFormatOpt = Annotated[Format, typer.Option(
    "-f", "--format", help="Format of the --dry-run preview: table, csv, tsv, json, jsonl or markdown.", case_sensitive=False)]


@import_app.command("deals")
def import_deals(
    ctx: typer.Context,
    file: FileArg,
    preset: PresetOpt = None,
    map_: MapOpt = None,
    stage_map: Annotated[Optional[list[str]], typer.Option(
        "--stage-map", metavar="SRC=STAGE", help="A stage word of the file → a stage key, won or lost. Repeatable.")] = None,
    status_map: Annotated[Optional[list[str]], typer.Option(
        "--status-map", metavar="SRC=STATUS", help="A status word of the file → open, won, lost or skip. Repeatable.")] = None,
    reason_map: Annotated[Optional[list[str]], typer.Option(
        "--reason-map", metavar="SRC=KEY",
        help="A lost-reason wording of the file → a lost-reason key (price, competitor …) or unknown. Repeatable.")] = None,
    rate: Annotated[Optional[list[str]], typer.Option(
        "--rate", metavar="CODE=RATE",
        help="Convert amounts in another currency: 1 CODE = RATE of the database's currency (USD=7.10). Repeatable.")] = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    date_format: DateFormatOpt = None,
    amount_unit: Annotated[Optional[str], typer.Option(
        "--amount-unit", help="Multiply amounts: 万元, 千元, k or a number. Default: from a header like 金额(万元).")] = None,
    on_duplicate: Annotated[str, typer.Option(
        "--on-duplicate", help="A deal already imported (same id): update, skip or fail.")] = "update",
    create_reps: Annotated[bool, typer.Option(
        "--create-reps", help="Add owners not yet known as reps (handle = slug of the name: 王伟 → wang-wei).")] = False,
    pipeline: Annotated[Optional[str], typer.Option(
        "--pipeline", help="Import into this pipeline (default: the default pipeline).")] = None,
    events: Annotated[Optional[Path], typer.Option(
        "--events", metavar="FILE", help="A stage-events export: the real history of the deals (a restore).")] = None,
    phone_region: Annotated[Optional[str], typer.Option(
        "--phone-region", metavar="CC",
        help="Country of phones written without +code (US, GB, HK …). Default: $SALESFLOW_PHONE_REGION, else CN.")] = None,
    dry_run: DryRunOpt = False,
    rejects: RejectsOpt = None,
    fmt: PreviewFormatOpt = Format.table,
) -> None:
    """Import deals (one transaction; re-running the same file changes nothing)."""
    from salesflow.app.imports import ImportOptions
    from salesflow.app.imports import import_deals as run

    opts = ImportOptions(
        path=file, preset=preset, maps=tuple(map_ or ()), stage_maps=tuple(stage_map or ()),
        status_maps=tuple(status_map or ()), reason_maps=tuple(reason_map or ()), rates=tuple(rate or ()),
        encoding=encoding,
        delimiter=delimiter, date_format=date_format, amount_unit=amount_unit, on_duplicate=on_duplicate.lower(),
        create_reps=create_reps, dry_run=dry_run, rejects=rejects, pipeline=pipeline, events=events,
        phone_region=phone_region or resolve(ctx).phone_region)
    _go(ctx, run, opts, "import deals", fmt, "deals")


@import_app.command("touches")
def import_touches(
    ctx: typer.Context,
    file: FileArg,
    preset: PresetOpt = None,
    map_: MapOpt = None,
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    date_format: DateFormatOpt = None,
    dry_run: DryRunOpt = False,
    rejects: RejectsOpt = None,
    fmt: PreviewFormatOpt = Format.table,
) -> None:
    """Import touches (calls, visits, notes) of deals already here, matched by deal id or external id."""
    from salesflow.app.imports import ImportOptions
    from salesflow.app.imports import import_touches as run

    opts = ImportOptions(path=file, preset=preset, maps=tuple(map_ or ()), encoding=encoding, delimiter=delimiter,
                         date_format=date_format, dry_run=dry_run, rejects=rejects)
    _go(ctx, run, opts, "import touches", fmt, "touches")


@import_app.command("reps")
def import_reps(
    ctx: typer.Context,
    file: FileArg,
    map_: Annotated[Optional[list[str]], typer.Option(
        "--map", metavar="SRC=FIELD", help="Column SRC feeds handle, name, role, manager, team or capacity. Repeatable.")] = None,
    create_reps: Annotated[bool, typer.Option(
        "--create-reps", help="Add managers the sheet names but does not list, with role manager.")] = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Import a team sheet: reps with their manager and team (matched by handle or display name)."""
    from salesflow.app.team_import import import_reps as run

    env = resolve(ctx)
    echo(run(env.conn(), file, tuple(map_ or ()), create_reps, dry_run, env.act("import reps")))


def _go(ctx: typer.Context, run, opts, name: str, fmt: Format, kind: str) -> None:
    from salesflow.app.imports import Ui, big_file, preview_report

    from salesflow.output.progress import progress_bar

    env = resolve(ctx)
    with progress_bar(f"importing {opts.path.name}", big_file(opts.path)) as progress:
        outcome, tally = run(env.conn(), opts, env.act(name), Ui(progress))
    if opts.dry_run:
        from salesflow.output.emit import emit

        emit(preview_report(kind, tally), fmt.value, env.style())
    echo(outcome)
