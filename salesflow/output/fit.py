"""Fitting a table to a terminal's width: which columns to show, how wide, and cutting text with "…".

Widths are display widths (a CJK character takes two columns). Numbers, ids, dates and amounts are
never wrapped or cut; their column is as wide as its widest cell. Text columns (names, notes, next
actions) may be cut down to a few characters, with "…". When even that does not fit, the least
important columns are hidden, one at a time (a column's `priority`: 0 never, higher first; the
rightmost first among equals), and the caller says which in a footer. A header wider than its column
wraps onto a second line at a space.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from wcwidth import wcswidth, wcwidth

GAP = 2           # spaces between two columns
MIN_TEXT = 8      # a text column is never cut narrower than this (or its widest cell, if narrower)
COMFORT = 16      # columns are hidden before a text column is cut below this
ELLIPSIS = "…"


def width_of(text: str) -> int:
    w = wcswidth(text)
    return w if w >= 0 else sum(max(wcwidth(ch), 0) for ch in text)  # a stray control char counts as nothing


def cut(text: str, width: int) -> str:
    """`text` in at most `width` display columns, ending in "…" when something was cut."""
    if width_of(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = max(wcwidth(ch), 0)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def header_lines(header: str, width: int) -> list[str]:
    """A header in one line, or two split at the space that makes it narrowest (never cut)."""
    if width_of(header) <= width or " " not in header:
        return [header]
    splits = [(header[:i], header[i + 1:]) for i, ch in enumerate(header) if ch == " "]
    return list(min(splits, key=lambda pair: max(width_of(pair[0]), width_of(pair[1]))))


def narrowest_header(header: str) -> int:
    return max(width_of(line) for line in header_lines(header, 0))


class Plan(NamedTuple):
    shown: list[int]       # indexes of the columns shown, in order
    widths: dict[int, int]  # column index -> its width
    hidden: list[int]      # indexes of the columns hidden to fit


def fit(headers: list[str], rows: list[list[str]], cuttable: list[bool], priority: list[int],
        width: int | None) -> Plan:
    """The columns to show and their widths so that every line fits in `width` (None: no limit)."""
    n = len(headers)
    cells = [max((width_of(r[i]) for r in rows), default=0) for i in range(n)]
    natural = [max(cells[i], width_of(headers[i])) for i in range(n)]
    if width is None:
        return Plan(list(range(n)), {i: natural[i] for i in range(n)}, [])
    # the least a column can take: a number its widest cell (its header may wrap); text a few characters
    def floor(text_width: int) -> list[int]:
        return [min(natural[i], max(narrowest_header(headers[i]), min(cells[i], text_width)) if cuttable[i]
                    else max(cells[i], narrowest_header(headers[i]))) for i in range(n)]

    comfortable, least = floor(COMFORT), floor(MIN_TEXT)
    shown = list(range(n))
    hidden: list[int] = []

    def total(cols: list[int], sizes: list[int]) -> int:
        return sum(sizes[i] for i in cols) + GAP * max(len(cols) - 1, 0)

    # hide the least important columns while the rest cannot have readable text; then cut text further
    for sizes in (comfortable, least):
        while total(shown, sizes) > width:
            droppable = [i for i in shown if priority[i] > 0]
            if not droppable or (sizes is comfortable and total(shown, least) <= width
                                 and all(priority[i] == 0 for i in droppable)):
                break
            victim = max(droppable, key=lambda i: (priority[i], i))
            shown.remove(victim)
            hidden.append(victim)
        if total(shown, sizes) <= width:
            least = sizes
            break
    widths = {i: least[i] for i in shown}
    spare = width - total(shown, least)
    # the spare room goes to the text that was cut, in proportion to what each lacks; then to headers that wrap
    texts = [i for i in shown if cuttable[i] and natural[i] > widths[i]]
    need = sum(natural[i] - widths[i] for i in texts)
    if texts and spare > 0:
        share = min(spare, need)
        given = {i: share * (natural[i] - widths[i]) // need for i in texts}
        for i in sorted(texts, key=lambda i: natural[i] - widths[i], reverse=True)[: share - sum(given.values())]:
            given[i] += 1  # what the rounding left, one each to the columns that lack the most
        for i in texts:
            widths[i] += given[i]
        spare -= share
    for i in sorted(shown, key=lambda i: natural[i] - widths[i]):
        if spare <= 0:
            break
        grow = min(natural[i] - widths[i], spare)
        widths[i] += grow
        spare -= grow
    return Plan(shown, widths, sorted(hidden))


_GLUED = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})|(\d) (%)")  # a date and its time; 15 %


def _unbreakable(ch: str) -> bool:
    return (ch.isascii() and (ch.isalnum() or ch in "-:./%±,")) or ch == "\u00a0"


def wrap(text: str, width: int) -> list[str]:
    """A footer line in lines of at most `width` display columns, broken at spaces where there are any;
    never inside a word, a number, or between a date and its time."""
    if width <= 0 or width_of(text) <= width:
        return [text]
    glued = _GLUED.sub(lambda m: "\u00a0".join(g for g in m.groups() if g is not None), text)
    return [line.replace("\u00a0", " ") for line in _wrap(glued, width)]


def _wrap(text: str, width: int) -> list[str]:
    if width_of(text) > len(text):  # Chinese has no spaces between words: break between any two of its
        lines = []                  # characters, but not inside a Latin word or a number
        while width_of(text) > width:
            head = cut(text, width + 1)[:-1]
            rest = text[len(head):]
            if rest[:1] and head[-1:] and _unbreakable(rest[0]) and _unbreakable(head[-1]):
                start = len(head)
                while start > 0 and _unbreakable(head[start - 1]):
                    start -= 1
                if start > 0:
                    head = head[:start]
            lines.append(head.rstrip())
            text = text[len(head):].lstrip()
        return lines + ([text] if text else [])
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if width_of(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while width_of(word) > width:  # a word wider than the line (CJK text has no spaces): break it
            head = cut(word, width + 1)[:-1]
            lines.append(head)
            word = word[len(head):]
        current = word
    if current:
        lines.append(current)
    return lines
