"""`--by rep|team|manager`: which group a deal's owner belongs to, for the reports that split by people.

A deal belongs to its owner (`rep`), the owner's team (`team`, the team key) or the owner's manager
(`manager`, the manager's handle), as `rep list` shows them now. Unassigned deals and owners without a
team or manager form the group shown empty (None).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from salesflow.domain.errors import UsageProblem
from salesflow.store.reps import team_and_manager
from salesflow.i18n import _

PEOPLE = ("rep", "team", "manager")


def check_people(by: str | None, command: str) -> str | None:
    if by is not None and by not in PEOPLE:
        raise UsageProblem(_("--by {by!r} is not a grouping for {command}").format(by=by, command=command), hint=_("use --by rep, team or manager"))
    return by


def grouper(conn: sqlite3.Connection, by: str | None) -> Callable[[str | None], str | None]:
    """owner → its group's key (None: no group); `by` None puts every owner in one group (None)."""
    if by is None:
        return lambda owner: None
    if by == "rep":
        return lambda owner: owner
    index = 0 if by == "team" else 1
    of = {handle: pair[index] for handle, pair in team_and_manager(conn).items()}
    return lambda owner: of.get(owner) if owner is not None else None
