"""Cards about one deal: `show` (fields, process fields, timeline) and `why` (deadlines, urgency)."""

from __future__ import annotations

from typing import IO, Any

from salesflow.domain.text import printable
from salesflow.output import labels
from salesflow.output.emit import Style, human_value, emit
from salesflow.output.report import Column, Report
from salesflow.i18n import _


def render_card(card: Any, style: Style, stream: IO[str]) -> None:
    """`card` is an app.views.Card (duck-typed so output does not import app)."""
    facts = Report(
        title=card.title,
        columns=[Column("field"), Column("value")],
        rows=[{"field": labels.column(key, style.lang),
               "value": human_value(Column(key, kind), value, _labels(card), style.lang)}
              for key, kind, value in card.fields],
    )
    process = Report(
        title=_("Process fields"),
        columns=[Column("field"), Column("value")],
        rows=[{"field": label if style.lang == "zh" else name, "value": value or "—"}
              for _key, name, label, value in card.process],
    )
    timeline = Report(
        title=_("Timeline"),
        columns=[Column("at", "datetime"), Column("type"), Column("id", "id"), Column("what"), Column("by"),
                 Column("detail")],
        rows=[row | {"type": labels.word(labels.TIMELINE, row["type"])} for row in card.timeline],
        empty=_("no events yet"),
    )
    if not style.terminal:
        stream.write(printable(card.title) + "\n\n")
    for i, report in enumerate((facts, process, timeline)):
        if i:
            stream.write("\n")
        if not style.terminal and i:
            stream.write(report.title + "\n")
        emit(report, "table", style, stream=stream)


def _labels(card: Any) -> Report:
    return Report(title="", columns=[], rows=[], stage_labels=card.stage_labels)


def render_explanation(e: Any, style: Style, stream: IO[str]) -> None:
    """`e` is an app.due.Explanation: deadlines, urgency terms, probability, what blocks the next stage.
    On a terminal the prose lines wrap at its width like the tables' footers."""
    from salesflow.output.fit import wrap

    width = style.width if style.terminal and not style.wide else 0

    def say(text: str, indent: str = "") -> None:
        for piece in wrap(text, max(0, width - len(indent)) if width else 0):
            stream.write(indent + piece + "\n")

    say(printable(e.title))
    for report in (e.deadlines, e.urgency):
        stream.write("\n")
        if not style.terminal:
            stream.write(report.title + "\n")
        emit(report, "table", style, stream=stream)
    stream.write("\n")
    say(e.probability)
    if e.next_stage and e.unmet:
        stream.write(_("to move to {next_stage}:\n").format(next_stage=e.next_stage))
        for line in e.unmet:
            say(printable(line), "  ")
    elif e.next_stage:
        say(_("ready to move to {next_stage}: salesflow advance {deal_id} {next_stage}\n").format(
            next_stage=e.next_stage, deal_id=e.deal_id).rstrip("\n"))
