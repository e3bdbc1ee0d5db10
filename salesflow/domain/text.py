"""Text that people type: names normalised for matching, free text checked before it is stored."""

from __future__ import annotations

import re
import unicodedata

from salesflow.domain.errors import BadInput

MAX_TEXT = 64 * 1024  # a note longer than this is a paste accident, not a note
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_key(name: str) -> str:
    """The customer-uniqueness key: NFKC, trimmed, inner white space folded, case-folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def clean_text(value: str | None, what: str, *, max_len: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trim; refuse NUL and other control characters and over-long text; empty means None."""
    if value is None:
        if required:
            raise BadInput(f"{what} is empty")
        return None
    if value.isprintable() and len(value) <= max_len:  # the common case, checked in C (imports call this a lot)
        value = value.strip()
        if value or not required:
            return value or None
    if "\x00" in value:
        raise BadInput(f"{what} contains a NUL character", hint="remove it and try again")
    if _CONTROL.search(value):
        raise BadInput(f"{what} contains control characters", hint="only text, tabs and line breaks are kept")
    if len(value) > max_len:
        raise BadInput(f"{what} is too long ({len(value):,} characters; at most {max_len:,})",
                       hint="keep long documents elsewhere and note where they are")
    # Windows and old-Mac line ends become \n: a bare CR breaks csv readers and terminals alike
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value:
        if required:
            raise BadInput(f"{what} is empty")
        return None
    return value


def normalise_email(value: str | None) -> str | None:
    value = clean_text(value, "email", max_len=320)
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", value).lower()
    if not _EMAIL.match(value):
        raise BadInput(f"email {value!r} is not an email address", hint="write it like name@example.com")
    return value


def parse_deal_id(text: str) -> int:
    """`42` or `#42`."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().lstrip("#")
    if not raw.isdigit() or len(raw) > 18 or int(raw) == 0:
        raise BadInput(f"{text!r} is not a deal id", hint="deal ids look like 42 or #42")
    return int(raw)
