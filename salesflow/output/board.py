"""`board` on a terminal: one column per open stage, headed by its count and amount, deals as cards of
three lines (id and amount; customer; days in stage and state) and a fourth with the owner when the
board holds several reps' deals, coloured by state, and "+N more" where a column is full. Everything is cut to the
column's display width (CJK counts two), so the board fits the terminal; too narrow a terminal for the
stages side by side gets the cards as a table per stage instead."""

from __future__ import annotations

from typing import IO, Any

from salesflow.domain.money import format_amount
from salesflow.domain.text import printable
from salesflow.i18n import _
from salesflow.output import labels
from salesflow.output.emit import Style, emit
from salesflow.output.fit import cut, width_of

GAP = 2
NARROWEST = 14  # a column narrower than this cannot show a card
COLOURS = {"overdue": "\x1b[1;31m", "today": "\x1b[33m", "no-plan": "\x1b[35m", "planned": ""}
RESET = "\x1b[0m"


def render_board(report: Any, pipeline: Any, style: Style, stream: IO[str], *, limit: int, several: bool) -> None:
    """`report`: app.board's (cards in stage order, then board order); `pipeline`: its domain Pipeline."""
    stages = list(pipeline.open_stages)
    width = style.width if style.terminal and style.width and not style.wide else None
    column = (width - GAP * (len(stages) - 1)) // len(stages) if width else 24
    if not style.terminal or column < NARROWEST:
        emit(report, "table", style, stream=stream)
        return
    cards = list(report.rows)
    columns: list[list[tuple[str, str]]] = []  # per stage: (text, colour) lines
    for stage in stages:
        mine = [c for c in cards if c["stage"] == stage.key]
        lines: list[tuple[str, str]] = [
            (cut(stage.label_zh if style.lang == "zh" else stage.name, column), "\x1b[1m"),
            (cut(_("{n} · {amount}").format(n=len(mine), amount=format_amount(sum(c["amount"] for c in mine))), column), ""),
            ("─" * column, "\x1b[2m"),
        ]
        for card in mine[:limit]:
            colour = COLOURS[card["state"]]
            state = labels.word(labels.BOARD_STATES, card["state"])
            detail = _("{days}d · {state}").format(days=card["days_in_stage"], state=state)
            amount = format_amount(card["amount"]) if card["amount"] else "—"
            lines += [(cut(f"#{card['deal_id']} {amount}", column), colour),
                      (cut(printable(card["customer"] or ""), column), ""),
                      (cut(detail, column), colour)]
            if several:
                lines.append((cut(card["owner"] or _("unassigned"), column), "\x1b[2m"))
            lines.append(("", ""))
        if len(mine) > limit:
            lines.append((cut(_("+{n} more").format(n=len(mine) - limit), column), "\x1b[2m"))
        columns.append(lines)
    title = cut(printable(report.title), width)
    stream.write((f"\x1b[1m{title}{RESET}" if style.color else title) + "\n\n")
    for i in range(max(len(c) for c in columns)):
        cells = []
        for lines in columns:
            text, colour = lines[i] if i < len(lines) else ("", "")
            pad = " " * (column - width_of(text))
            cells.append((f"{colour}{text}{RESET}" if style.color and colour and text else text) + pad)
        stream.write((" " * GAP).join(cells).rstrip() + "\n")
    for line in report.footer:
        stream.write(cut(printable(line), width) + "\n")

