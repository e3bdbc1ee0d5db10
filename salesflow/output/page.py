"""A page of several reports (the weekly meeting report) as Markdown for a chat, or HTML for a browser."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from salesflow.output.emit import group_rows, header, human_rows, is_numeric, md_cell
from salesflow.output.report import Report


@dataclass
class Page:
    title: str
    subtitle: str
    sections: list[tuple[str, Report]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    charts: dict = field(default_factory=dict)  # section heading -> output.charts.Chart list, drawn above its table (HTML)


def _tables(report: Report, lang: str) -> list[tuple]:
    """The report's non-empty tables: (group name, columns, headers, human cells)."""
    out = []
    for name, rows in group_rows(report, lang):
        columns, cells = human_rows(report, lang, rows)
        if cells:
            out.append((name, columns, [header(c) for c in columns], cells))
    return out


def markdown(page: Page, lang: str = "en") -> str:
    from tabulate import tabulate

    out = [f"# {md_cell(page.title)}", "", f"_{md_cell(page.subtitle)}_", ""]
    for heading, report in page.sections:
        out += [f"## {md_cell(heading)}", ""]
        tables = _tables(report, lang)
        for name, columns, headers, cells in tables:
            if name:
                out += [f"**{md_cell(name)}**", ""]
            escaped = [[md_cell(c) for c in row] for row in cells]
            aligns = ["right" if is_numeric(c) else "left" for c in columns]
            out += [tabulate(escaped, headers=headers, tablefmt="pipe", colalign=aligns, disable_numparse=True), ""]
        if not tables:
            out += [md_cell(report.empty), ""]
        out += [f"_{md_cell(note)}_" for note in report.footer] + ([""] if report.footer else [])
    out += [f"_{md_cell(note)}_" for note in page.notes]
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body { font-family: -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.sub, .note { color: #59636e; font-size: .9rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .92rem; }
th, td { border-bottom: 1px solid #d1d9e0; padding: .3rem .6rem; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.red { color: #cf222e; font-weight: 600; } td.yellow { color: #9a6700; } td.green { color: #1a7f37; }
.scroll { overflow-x: auto; max-width: 100%; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 0; flex: 1 1 22rem; max-width: 46rem; min-width: 0; }
figure.chart svg { width: 100%; height: auto; display: block; }
"""


def html_page(page: Page, lang: str = "en") -> str:
    e = html.escape
    out = [f'<!doctype html>\n<html lang="{"zh" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(page.title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(page.title)}</h1><p class=sub>{e(page.subtitle)}</p>"]
    for heading, report in page.sections:
        out.append(f"<h2>{e(heading)}</h2>")
        if page.charts.get(heading):
            from salesflow.output.charts import svg

            out.append('<div class="charts">' + "".join(f'<figure class="chart">{svg(c)}</figure>' for c in page.charts[heading])
                       + "</div>")
        tables = _tables(report, lang)
        for name, columns, headers, cells in tables:
            if name:
                out.append(f"<p><strong>{e(name)}</strong></p>")
            head = "".join(f'<th class="{"num" if is_numeric(c) else ""}">{e(h)}</th>' for c, h in zip(columns, headers))
            body = "".join(
                "<tr>" + "".join(f'<td class="{_cls(c, v)}">{e(v)}</td>' for c, v in zip(columns, row)) + "</tr>"
                for row in cells)
            out.append(f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')
        if not tables:
            out.append(f"<p class=note>{e(report.empty)}</p>")
        out += [f"<p class=note>{e(note)}</p>" for note in report.footer]
    out += [f"<p class=note>{e(note)}</p>" for note in page.notes]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _cls(column, value: str) -> str:
    if column.kind == "health":
        return {"红": "red", "黄": "yellow", "绿": "green"}.get(value, value)
    return "num" if is_numeric(column) else ""
