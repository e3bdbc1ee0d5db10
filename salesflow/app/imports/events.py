"""`import deals --events FILE`: the real stage history of the deals (a restore from `export stage-events`)."""

from __future__ import annotations

from typing import Any

from salesflow.app.context import Act
from salesflow.app.imports.common import ImportOptions
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput
from salesflow.domain.pipeline import Pipeline
from salesflow.ingest.files import open_table
from salesflow.ingest.values import import_datetime
from salesflow.i18n import _

EVENT_FIELDS = ("deal_id", "from_stage", "to_stage", "at", "by", "reason", "forced")


def read_events(opts: ImportOptions, act: Act) -> dict[int, list[tuple]]:
    """Deal id → its events (from, to, at, by, reason, forced), in file order."""
    assert opts.events is not None
    table = open_table(opts.events, encoding=opts.encoding, is_header=lambda cells: "deal_id" in cells)
    index = {name: i for i, name in enumerate(table.header)}
    missing = [n for n in EVENT_FIELDS if n not in index]
    if missing:
        raise BadInput(_("{name}: not a stage-events export (missing {join})").format(name=opts.events.name, join=', '.join(missing)),
                       hint=_("write it with: salesflow export stage-events -o FILE"))
    events: dict[int, list[tuple]] = {}
    for line, cells in table.rows:
        try:
            get = lambda n: cells[index[n]].strip() if index[n] < len(cells) else ""  # noqa: E731
            deal = int(get("deal_id").lstrip("#"))
            at = iso(import_datetime(get("at"), None))
            forced = 1 if get("forced").lower() in ("true", "1", "yes") else 0
        except (ValueError, BadInput) as exc:
            raise BadInput(f"{opts.events.name}:{line}: {getattr(exc, 'message', 'not a stage event')}") from None
        events.setdefault(deal, []).append((get("from_stage") or None, get("to_stage"), at, get("by") or act.by,
                                            get("reason") or None, forced))
    return events


def history_into(events: list[tuple], pipeline: Pipeline, progressed_at: str | None) -> dict[str, Any]:
    """With the real history at hand, the derived times follow from it (as `advance` would have set them)."""
    told: dict[str, Any] = {"progressed_at": progressed_at}
    last_at = None
    keys = {s.key for s in pipeline.stages}
    for from_stage, to_stage, at, *_rest in events:
        last_at = at
        if to_stage in keys and (from_stage in keys or from_stage is None) and pipeline.is_progress(from_stage, to_stage):
            told["progressed_at"] = max(filter(None, (told["progressed_at"], at)))
        if to_stage == pipeline.lost.key:
            told["lost_from_stage"] = from_stage
    if last_at:
        told["stage_entered_at"] = last_at
    return told
