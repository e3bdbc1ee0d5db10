"""`playbook` on a terminal: per stage, its actions (required first marked), each guide indented below."""

from __future__ import annotations

from typing import IO, Any

from salesflow.domain.text import printable
from salesflow.output import labels
from salesflow.output.emit import Style
from salesflow.output.fit import wrap
from salesflow.i18n import _


def render_playbook(report: Any, pipeline: Any, style: Style, stream: IO[str], *, templates: bool = True) -> None:
    """`report`: app.playbook.playbook_report's; `pipeline`: its domain Pipeline (for stage and template words)."""
    width = style.width if style.terminal and style.width and not style.wide else 0
    def say(text: str, indent: str = "", strong: bool = False) -> None:
        for piece in wrap(text, max(20, width - len(indent)) if width else 0):
            line = printable(piece)  # the text is escaped; the bold around it is ours
            stream.write(indent + (f"\x1b[1m{line}\x1b[0m" if strong and style.color else line) + "\n")

    say(report.title, strong=True)
    rows = list(report.rows)
    if not rows:
        stream.write("\n")
        say(report.empty)
    for stage in pipeline.open_stages:
        mine = [r for r in rows if r["stage"] == stage.key]
        if not mine:
            continue
        stream.write("\n")
        say(stage.label_zh if style.lang == "zh" else f"{stage.name} ({stage.key})", strong=True)
        for row in mine:
            mark = _("required") if row["required"] else _("optional")
            say(f"• {row['name']} [{row['key']}] — {mark}", "  ")
            for line in (row["guide"] or "").splitlines():
                if line.strip():
                    say(line.strip(), "      ")
    if templates and pipeline.templates:
        stream.write("\n")
        say(_("Touch templates"), strong=True)
        for t in pipeline.templates:
            say(f"• {t.word} [{t.key}] — " + _("kind {kind}; salesflow touch DEAL --template {key}").format(kind=labels.word(labels.TOUCH_KINDS, t.kind), key=t.key), "  ")
            for i, s in enumerate(t.steps, 1):
                say(f"{i}. {s.word} [{s.key}]" + ("" if s.required else " — " + _("optional")), "      ")
                for line in (s.advice or "").splitlines():
                    if line.strip():
                        say(line.strip(), "         ")
    for line in report.footer:
        stream.write("\n")
        say(line)
