"""The plan of a deals import: everything a row is checked against, settled once before the first row.

Built from the options, the column plan and this database's pipelines (read inside the import's write
transaction); after that the rules (`rules.py`) need nothing else. A plan is plain data: tests build one
from a literal pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from salesflow.app.currency import Currency
from salesflow.domain.errors import NotFound, UsageProblem
from salesflow.domain.history import reason_words
from salesflow.domain.pipeline import Pipeline
from salesflow.domain.vocabulary import UNKNOWN_REASON
from salesflow.ingest.files import normalise_header
from salesflow.ingest.presets import ENTERED, Columns, Preset, parse_pairs
from salesflow.i18n import _

STATUSES = ("open", "won", "lost")


class Stages(NamedTuple):
    """One pipeline as an import sees it (its tuples computed once: a million rows ask for them)."""

    pipeline: Pipeline
    words: dict[str, str]    # normalised word -> stage key (open, won or lost stage of this pipeline)
    opens: tuple[str, ...]   # the open stage keys, in order
    closed: dict[str, str]   # won/lost -> the stage key
    reasons: dict[str, str]  # normalised lost-reason wording -> lost-reason key

    @property
    def first(self) -> str:
        return self.opens[0]


@dataclass(frozen=True)
class Plan:
    pipelines: dict[str, Stages]
    pipeline_words: dict[str, str]          # normalised key, name or label_zh -> pipeline key
    default_pipeline: str
    statuses: dict[str, str]                # normalised status word -> open | won | lost | skip
    entered: tuple[tuple[str, str], ...]    # (the entered:WORD field, WORD) for each stage-date column
    now: datetime
    date_format: str | None = None
    unit: int | None = None                 # amounts × unit (a column headed 金额(万元))
    region: str | None = None               # phones without +code
    create_reps: bool = False
    currency: Currency = Currency()         # the database's, with the rates that convert others into it
    amount_currency: str | None = None      # the currency the amount column's header names (金额(万元): CNY)


def stages_of(pipeline: Pipeline, preset_words: dict[str, str], user: dict[str, str],
              user_reasons: dict[str, str]) -> Stages:
    """The words that name each stage of `pipeline`: the preset's, its own keys/names/labels, then --stage-map."""
    keys = {s.key for s in pipeline.stages}
    special = {"won": pipeline.won.key, "lost": pipeline.lost.key}
    words: dict[str, str] = {}
    for source, target in preset_words.items():
        target = special.get(target, target)
        if target in keys:
            words[source] = target
    for stage in pipeline.stages:
        for word in (stage.key, stage.name, stage.label_zh):
            words[normalise_header(word)] = stage.key
    for source, target in user.items():
        resolved = special.get(target.lower())
        if resolved is None:
            try:  # as the screen shows it: key, name, label, any case, a unique prefix
                resolved = pipeline.find_stage(target).key
            except NotFound:
                raise UsageProblem(_("--stage-map target {target!r} is not a stage of pipeline {key}").format(target=target, key=pipeline.key),
                                   hint=_("stages: ") + ", ".join(s.key for s in pipeline.stages) + _(", won or lost")) from None
        words[source] = resolved
    for source, key in user_reasons.items():
        if key not in pipeline.lost_reasons and key != UNKNOWN_REASON:
            raise UsageProblem(_("--reason-map target {key!r} is not a lost reason of pipeline {key2}").format(key=key, key2=pipeline.key),
                               hint=_("reasons: ") + ", ".join(pipeline.lost_reasons) + f", {UNKNOWN_REASON}")
    return Stages(pipeline, words, tuple(s.key for s in pipeline.open_stages), dict(special),
                  reason_words(pipeline.lost_reasons, user_reasons))


def make_plan(pipelines: list[Pipeline], default: str, cols: Columns, *, stage_maps: tuple[str, ...] = (),
              status_maps: tuple[str, ...] = (), reason_maps: tuple[str, ...] = (), now: datetime,
              date_format: str | None = None, unit: int | None = None, region: str | None = None,
              create_reps: bool = False, currency: Currency = Currency()) -> Plan:
    preset: Preset | None = cols.preset
    user_stages = parse_pairs(list(stage_maps), "--stage-map")
    user_reasons = parse_pairs(list(reason_maps), "--reason-map")
    statuses = {s: s for s in STATUSES} | dict(preset.statuses if preset else {})
    for source, target in parse_pairs(list(status_maps), "--status-map").items():
        if target not in (*STATUSES, "skip"):
            raise UsageProblem(_("--status-map target {target!r} is not a status").format(target=target), hint=_("open, won, lost or skip"))
        statuses[source] = target
    by_key: dict[str, Stages] = {}
    pipeline_words: dict[str, str] = {}
    for p in pipelines:
        by_key[p.key] = stages_of(p, preset.stages if preset else {}, user_stages, user_reasons)
        for word in (p.key, p.name, p.label_zh):
            pipeline_words[normalise_header(word)] = p.key
    if default not in by_key:
        raise UsageProblem(_("pipeline {default!r} does not exist").format(default=default), hint=_("pipelines: ") + ", ".join(by_key))
    entered = tuple((f, f[len(ENTERED):]) for f in cols.fields if f.startswith(ENTERED))
    stages = by_key[default]
    for target, word in entered:  # said once, before any row, for the default pipeline
        found = stages.words.get(normalise_header(word))
        if found is None or found not in stages.opens:
            raise UsageProblem(_("--map target {target!r}: {word!r} is not an open stage of pipeline {default}").format(target=target, word=word, default=default),
                               hint=_("stages: ") + ", ".join(stages.opens))
    return Plan(by_key, pipeline_words, default, statuses, entered, now, date_format, unit, region, create_reps,
                currency, cols.currencies.get("amount"))
