"""The one exception family: every expected failure carries its facts and its exit code."""

from __future__ import annotations


class SalesflowError(Exception):
    """An expected failure: shown as one `error:` line, optional detail lines and at most one hint."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, details: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = list(details)


class BadInput(SalesflowError):
    """A value the user typed cannot be understood; nothing was written."""


class NotFound(SalesflowError):
    """A deal, rep, touch or pipeline named by the user does not exist."""


class Refused(SalesflowError):
    """The pipeline's rules (or a safety rule) refused the change; nothing was written."""


class UsageProblem(SalesflowError):
    """The command line itself is wrong (a missing or conflicting option)."""

    exit_code = 2
