"""A deal's stage history as another system's file tells it: pure rules, tested with literal rows.

A row may say the deal's current (or lost-at) stage, the dates it entered stages (`entered:STAGE`
columns: HubSpot's "Date entered …", Maven's engage date), when it was created and when it closed.
From that: the stage events to write, the stage a lost deal was lost from, and whether its history
is known at all. A lost row that names no open stage and no stage date does not tell how far the deal
got: its history is *unknown* — not "lost at the first stage" — and reports that learn from stage
reach leave it out (and say how many they left out).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from salesflow.domain.pipeline import Pipeline


class History(NamedTuple):
    events: list[tuple[str | None, str, datetime]]  # (from stage, to stage, at), in order
    entry: str              # the furthest open stage the deal reached (the first stage when unknown)
    lost_from: str | None   # for a lost deal with a known history: the open stage it was lost from
    known: bool


def stage_history(pipeline: Pipeline, *, status: str, stage: str | None, entered: dict[str, datetime],
                  created: datetime, closed: datetime | None) -> History:
    """`stage`: the open stage the row names (for a lost Pipedrive row, the stage it was lost at), or None;
    `entered`: open stage key → the date the file says the deal entered it."""
    opens = [s.key for s in pipeline.open_stages]
    first = opens[0]
    reached = set(entered) | ({stage} if stage else set())
    known = status != "lost" or bool(reached)
    entry = max(reached, key=opens.index) if reached else first
    events: list[tuple[str | None, str, datetime]]
    if not entered:
        events = [(None, entry, created)]  # the file says where it is, not when it got there
    else:
        start = min([created, *entered.values()])
        events = [(None, first, min(start, entered.get(first, start)))]
        at = events[0][2]
        for key in opens[1: opens.index(entry) + 1]:
            when = entered.get(key)
            if when is None and key != entry:
                continue  # passed through on a date the file does not give
            at = max(at, when) if when is not None else at
            events.append((events[-1][1], key, at))
    if status != "open" and closed is not None:
        final = pipeline.won.key if status == "won" else pipeline.lost.key
        events.append((events[-1][1], final, max(closed, events[-1][2])))
    lost_from = entry if status == "lost" and known else None
    return History(events, entry, lost_from, known)


def reason_words(lost_reasons: tuple[str, ...], user: dict[str, str]) -> dict[str, str]:
    """Normalised wording → lost-reason key: the pipeline's keys, the built-in synonyms of the keys it has, and
    the user's --reason-map (which wins). Keys outside the pipeline are dropped, except `unknown`."""
    import unicodedata

    from salesflow.domain.vocabulary import LOST_REASON_SYNONYMS, UNKNOWN_REASON

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()

    words = {norm(k): k for k in lost_reasons} | {UNKNOWN_REASON: UNKNOWN_REASON}
    for key, synonyms in LOST_REASON_SYNONYMS.items():
        if key in lost_reasons:
            words |= {norm(w): key for w in synonyms}
    return words | {norm(source): key for source, key in user.items()}


def lost_reason(words: dict[str, str], raw: str | None) -> tuple[str | None, bool]:
    """(the key for a lost row's reason cell, whether it was recognised). Empty → `unknown`."""
    import unicodedata

    if raw is None or not raw.strip():
        return "unknown", True
    key = words.get(" ".join(unicodedata.normalize("NFKC", raw).split()).casefold())
    return key, key is not None
