"""`export deals|touches|stage-events|customers|reps`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from salesflow.cli.app import command_module
from salesflow.cli.env import resolve
from salesflow.cli.options import OutputOpt

commands = command_module()


class MachineFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


@commands.command("export")
def export(
    ctx: typer.Context,
    table: Annotated[str, typer.Argument(metavar="WHAT", help="deals, touches, stage-events, customers or reps.")],
    fmt: Annotated[MachineFormat, typer.Option("-f", "--format", help="csv, tsv, json or jsonl.", case_sensitive=False)] = MachineFormat.csv,
    output: OutputOpt = None,
    raw: Annotated[bool, typer.Option("--raw", help="Leave cells that start like a formula (= + - @ …) as they are.")] = False,
    excel: Annotated[bool, typer.Option("--excel", help="csv/tsv for Excel: a UTF-8 BOM and CRLF line ends.")] = False,
) -> None:
    """Export a whole table with stable columns (streamed; -o writes atomically, owner-only)."""
    from salesflow.app.export import export_report
    from salesflow.output.emit import emit

    env = resolve(ctx)
    emit(export_report(env.conn(), table), fmt.value, env.style(), output, raw=raw, excel=excel)
