"""Options shared by many commands, declared once."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Format(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


# The formats of a report that also draws as a chart: Format's, and html (a page with the chart and the table).
ChartFormat = Enum("ChartFormat", {**{f.name: f.value for f in Format}, "html": "html"}, type=str)


ChartFormatOpt = Annotated[ChartFormat, typer.Option("-f", "--format", case_sensitive=False,
                                                     help="Output format: table, csv, tsv, json, jsonl, markdown or html (a page with the chart).")]
FormatOpt = Annotated[Format, typer.Option("-f", "--format", help="Output format: table, csv, tsv, json, jsonl or markdown.",
                                           case_sensitive=False)]
OutputOpt = Annotated[Optional[Path], typer.Option("-o", "--output", metavar="FILE",
                                                   help="Write to FILE (atomically, owner-only) instead of stdout.")]
DealArg = Annotated[str, typer.Argument(metavar="DEAL", help="Deal id, e.g. 42 or #42.", show_default=False)]


def deal_id(text: str) -> int:
    from salesflow.domain.text import parse_deal_id

    return parse_deal_id(text)
