"""Charts as inline SVG for the HTML pages (the weekly report, `funnel -f html`, `forecast -f html`).

Drawn by pygal (pure Python, SVG is its native output; ~90 ms to import, paid only by these pages): no
script and no font is fetched from a network (`js=[]`; the font is a CJK-first family list the browser
resolves from installed fonts), Chinese labels stay text. A chart's id and pygal's dated comment are made
deterministic, so the same data gives the same page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
         '"WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif')
COLOURS = ("#0969da", "#1a7f37", "#bf8700", "#cf222e", "#8250df", "#57606a")


@dataclass
class Chart:
    """What to draw: `kind` bar, line or hbar; one value per label in each series (None: no value)."""
    key: str  # a stable id for the chart element: chart-<key>
    kind: str
    title: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)
    value_format: str = "int"  # int, money (major units), days, rate
    note: str = ""


def _formatter(kind: str) -> Callable[[float | None], str]:
    if kind == "rate":
        return lambda v: "" if v is None else f"{v:.0%}"
    if kind == "days":
        return lambda v: "" if v is None else f"{v:.1f}"
    if kind == "money":
        return lambda v: "" if v is None else f"{v:,.0f}"
    return lambda v: "" if v is None else f"{v:,.0f}"


def _fits(labels: list[str], width: int) -> bool:
    from salesflow.output.fit import width_of

    room = (width - 80) / max(1, len(labels))  # px per label, less the axis
    return all(width_of(label) * 8 <= room for label in labels)  # ~8 px per column at 14 px


def svg(chart: Chart, width: int = 720, height: int = 340) -> str:
    import pygal
    from pygal.style import Style

    style = Style(font_family=FONTS, background="white", plot_background="white", foreground="#1f2328",
                  foreground_strong="#1f2328", foreground_subtle="#57606a", colors=COLOURS,
                  title_font_size=18, label_font_size=14, major_label_font_size=14, legend_font_size=14,
                  value_font_size=14, tooltip_font_size=14)  # the chart scales down on a phone: start legible
    kind = {"bar": pygal.Bar, "line": pygal.Line, "hbar": pygal.HorizontalBar}[chart.kind]
    drawing = kind(js=[], disable_xml_declaration=True, style=style, width=width, height=height,
                   show_legend=len(chart.series) > 1, legend_at_bottom=True, print_values=chart.kind != "line",
                   value_formatter=_formatter(chart.value_format), truncate_label=-1,
                   # labels that would run into each other are turned (long stage names)
                   x_label_rotation=0 if _fits(chart.labels, width) else 30,
                   margin=12, spacing=8, dots_size=3, include_x_axis=True)
    drawing.title = chart.title
    drawing.x_labels = chart.labels
    for name, values in chart.series:
        drawing.add(name, values)
    text = drawing.render(is_unicode=True)
    text = re.sub(r'id="chart-[0-9a-f-]+"', f'id="chart-{chart.key}"', text, count=1)
    text = re.sub(r"#chart-[0-9a-f-]{36}", f"#chart-{chart.key}", text)
    return re.sub(r"<!--Generated with pygal[^>]*-->", "", text)  # (it scales with the page: a viewBox, no size)
