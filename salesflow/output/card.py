"""Cards about one deal: `show` (fields, process fields, timeline) and `why` (deadlines, urgency)."""

from __future__ import annotations

from typing import IO, Any

from salesflow.domain.text import printable
from salesflow.output import labels
from salesflow.output.emit import Style, human_value, emit
from salesflow.output.report import Column, Report
from salesflow.i18n import N_, _


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
    parts = (facts, process, checklist_report(card.checklist), timeline) if card.checklist else (facts, process, timeline)
    for i, report in enumerate(parts):
        if i:
            stream.write("\n")
        if not style.terminal and i:
            stream.write(report.title + "\n")
        emit(report, "table", style, stream=stream)


def checklist_report(rows: list[dict[str, Any]]) -> Report:
    """The current stage's standard actions: done (when, by whom) or still to do."""
    return Report(
        title=_("Checklist: {stage}").format(stage=rows[0]["stage_word"]) if rows else _("Checklist"),
        columns=[Column("state", words=labels.ACTION_STATE), Column("name", label=N_("Action")), Column("action", "key", label=N_("Key"), priority=3),
                 Column("required", "bool", priority=2), Column("done_at", "datetime", priority=1), Column("done_by", priority=1)]
                + ([Column("notes", priority=4)] if any(row.get("notes") for row in rows) else []),
        rows=[row | {"state": "done" if row["done"] else "to do"} for row in rows],
    )


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
    if e.checklist:
        stream.write("\n")
        report = checklist_report(e.checklist)
        if not style.terminal:
            stream.write(report.title + "\n")
        emit(report, "table", style, stream=stream)
        stream.write("\n")
    if e.next_stage and e.unmet:
        stream.write(_("to move to {next_stage}:\n").format(next_stage=e.next_stage))
        for line in e.unmet:
            say(printable(line), "  ")
    elif e.next_stage:
        say(_("ready to move to {next_stage}: salesflow advance {deal_id} {next_stage}\n").format(
            next_stage=e.next_stage, deal_id=e.deal_id).rstrip("\n"))
