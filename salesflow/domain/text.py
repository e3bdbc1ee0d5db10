"""Text that people type: names normalised for matching, free text checked before it is stored."""

from __future__ import annotations

import re
import unicodedata

from salesflow.domain.errors import BadInput
from salesflow.i18n import _

MAX_TEXT = 64 * 1024  # a note longer than this is a paste accident, not a note
# C0 and C1 control characters (an ESC starts a terminal sequence that can clear the screen or retitle
# the window) and the bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read
# differently from what it is; lone surrogates are bytes that were not UTF-8. Tab, LF and CR are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")  # for a terminal (tab, LF are kept)
QUOTE_MAX = 80  # an error line quotes at most this many characters of what the user gave
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_key(name: str) -> str:
    """The customer-uniqueness key: NFKC, trimmed, inner white space folded, case-folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


ONE_LINE_MAX = 320  # a field this short (a name, a title, a handle, an email) is one line


def clean_text(value: str | None, what: str, *, max_len: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trim; refuse NUL and other control characters and over-long text; empty means None. A short field
    (max_len ≤ ONE_LINE_MAX: names, titles) is one line: its line breaks and tabs become spaces, so that a
    name can never print as two lines of output (a faked `#999 …` line) nor push a table's columns apart."""
    if value is None:
        if required:
            raise BadInput(_("{what} is empty").format(what=what))
        return None
    if value.isprintable() and len(value) <= max_len:  # the common case, checked in C (imports call this a lot)
        value = value.strip()
        if value or not required:
            return value or None
    if "\x00" in value:
        raise BadInput(_("{what} contains a NUL character").format(what=what), hint=_("remove it and try again"))
    if _CONTROL.search(value):
        raise BadInput(_("{what} contains control characters or text-direction overrides").format(what=what),
                       hint=_("only text, tabs and line breaks are kept; retype it rather than paste it"))
    if len(value) > max_len:
        raise BadInput(_("{what} is too long ({n:,} characters; at most {max_len:,})").format(what=what, n=len(value), max_len=max_len),
                       hint=_("keep long documents elsewhere and note where they are"))
    # Windows and old-Mac line ends become \n: a bare CR breaks csv readers and terminals alike
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if max_len <= ONE_LINE_MAX and ("\n" in value or "\t" in value):
        value = " ".join(part.strip() for part in value.replace("\t", " ").split("\n") if part.strip())
    if not value:
        if required:
            raise BadInput(_("{what} is empty").format(what=what))
        return None
    return value


def has_control(value: str) -> bool:
    return bool(_CONTROL.search(value))


def printable(value: str) -> str:
    """`value` safe for a terminal: control characters and bidi overrides shown as escapes (\\x1b, \\u202e).
    For text that got into a database before it was refused at input, or that an error quotes."""
    if value.isprintable() or not _UNSAFE.search(value):
        return value
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", value)


def quoted(value: object, limit: int = QUOTE_MAX) -> str:
    """`value` as an error message quotes it: repr-style quotes, escaped, and cut to `limit` characters."""
    text = printable(str(value))
    if len(text) > limit:
        text = text[: limit - 1] + f"…(+{len(text) - limit + 1:,} more)"
    return "'" + text.replace("'", "\\'") + "'"


def normalise_email(value: str | None) -> str | None:
    value = clean_text(value, "email", max_len=320)
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", value).lower()
    if not _EMAIL.match(value):
        raise BadInput(_("email {value!r} is not an email address").format(value=value), hint=_("write it like name@example.com"))
    return value


def parse_deal_id(text: str) -> int:
    """`42` or `#42`."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().lstrip("#")
    if not raw.isdigit() or len(raw) > 18 or int(raw) == 0:
        raise BadInput(_("{text!r} is not a deal id").format(text=text), hint=_("deal ids look like 42 or #42"))
    return int(raw)
