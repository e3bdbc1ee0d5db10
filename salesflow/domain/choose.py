"""Picking one of a closed set from what a person typed: a key, a name, a Chinese label, any case, or a
unique prefix of one of them — whatever the screen showed. A near miss gets "did you mean …?".
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Sequence

from salesflow.domain.errors import NotFound
from salesflow.i18n import _


def fold(text: str) -> str:
    """How typed words are compared: NFKC (full-width → ASCII), spaces folded, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def choose(typed: str, options: Sequence[tuple[str, Iterable[str]]], what: str, where: str = "",
           listed: str | None = None, missing: str | None = None) -> str:
    """The key of the option `typed` names. `options`: (key, the words that name it) in the order a hint
    lists them. Exact words win; else a prefix that only one option's words start with. `where` ends the
    error ("is not a stage of pipeline standard") unless `missing` gives it whole; `listed` is the hint's
    list (default: the keys)."""
    wanted = fold(typed)
    words: dict[str, set[str]] = {}
    for key, names in options:
        for name in (key, *names):
            if name:
                words.setdefault(fold(name), set()).add(key)
    exact = words.get(wanted)
    if exact and len(exact) == 1:
        return next(iter(exact))
    if wanted:
        starts = {key for word, keys in words.items() if word.startswith(wanted) for key in keys}
        if len(starts) == 1:
            return next(iter(starts))
    close = difflib.get_close_matches(wanted, list(words), n=1, cutoff=0.6)
    guess = sorted(words[close[0]])[0] if close else None
    hint = _("{what}s: {listed}").format(what=what, listed=listed if listed is not None else ", ".join(k for k, _n in options))
    message = missing or (_("{what} {typed!r} is not a {what} {where}").format(what=what, typed=typed, where=where) if where else _("{typed!r} is not a {what}").format(typed=typed, what=what))
    if guess is not None and fold(guess) != wanted:
        message += _(" — did you mean {guess}?").format(guess=guess)
    raise NotFound(message, hint=hint)


def suggest(typed: str, candidates: Iterable[str]) -> str | None:
    """The candidate `typed` most likely meant (a typo, another case), or None."""
    by_fold = {fold(c): c for c in candidates}
    close = difflib.get_close_matches(fold(typed), list(by_fold), n=1, cutoff=0.6)
    return by_fold[close[0]] if close else None
