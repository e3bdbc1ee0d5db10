"""Entry and exit criteria, checked in one place; every unmet criterion comes with its fix."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from salesflow.domain.pipeline import Action, Pipeline, Stage, TouchRule
from salesflow.domain.records import Deal, Touch
from salesflow.i18n import N_, _

# How `set` spells a field whose deal attribute has another name.
SET_NAMES = {"close_date": "close"}
_DESCRIBE = {
    "amount": N_("amount is 0"),
    "close_date": N_("expected close date is empty"),
    "lost_reason": N_("no lost reason given"),
}
# how the built-in fields read in an unmet criterion (a pipeline's own fields read as its name or label_zh)
_FIELDS = {"customer": N_("customer"), "contact": N_("contact"), "phone": N_("phone"), "source": N_("source"),
           "title": N_("title"), "grade": N_("grade"), "owner": N_("owner")}  # (email: the touch kind's word differs)


@dataclass(frozen=True)
class Unmet:
    criterion: str  # "budget is empty"
    fix: str  # "set it with: salesflow set 42 budget=…"


def is_filled(deal: Deal, field: str) -> bool:
    value = deal.value(field)
    if field == "amount":
        return isinstance(value, int) and value > 0
    return value is not None and str(value).strip() != ""


def set_fix(deal_id: int) -> Callable[[str], str]:
    """The fix for an empty field of an existing deal: the `set` command that fills it."""

    def fix(field: str) -> str:
        if field == "lost_reason":
            return _("give it with: salesflow lose {deal_id} --reason …").format(deal_id=deal_id)
        return _("set it with: salesflow set {deal_id} {get}=…").format(deal_id=deal_id, get=SET_NAMES.get(field, field))

    return fix


def unmet_entry(deal: Deal, stage: Stage, pipeline: Pipeline, fix: Callable[[str], str]) -> list[Unmet]:
    """Entry criteria of `stage` that `deal` does not meet, in the order the pipeline lists them."""
    from salesflow.i18n import current

    labels = {key: _(name) for key, name in _FIELDS.items()} | {
        f.key: (f.label_zh if current() == "zh" else f.name.lower()) for f in pipeline.fields}
    unmet = []
    for criterion in stage.entry:
        alternatives = criterion.split("|")
        if any(is_filled(deal, field) for field in alternatives):
            continue
        if len(alternatives) > 1:
            names = _(" or ").join(labels.get(f, f.replace("_", " ")) for f in alternatives)
            unmet.append(Unmet(_("{names} is empty").format(names=names), fix(alternatives[0])))
        else:
            field = alternatives[0]
            text = _(_DESCRIBE[field]) if field in _DESCRIBE else _("{get} is empty").format(
                get=labels.get(field, field.replace('_', ' ')))
            unmet.append(Unmet(text, fix(field)))
    return unmet


def doing_touch(action: Action, deal: Deal, touches: Sequence[Touch]) -> Touch | None:
    """For an action that names a touch kind: the first touch of that kind logged since the deal entered
    its stage (this visit), which does the action; else None."""
    if action.touch is None:
        return None
    return next((t for t in touches if t.deal_id == deal.id and t.kind == action.touch and t.at >= deal.stage_entered_at),
                None)


def actions_done(deal: Deal, stage: Stage, touches: Sequence[Touch], done: Collection[str]) -> set[str]:
    """The keys of `stage`'s actions done in this visit: recorded (`done`, from `did` / `touch --did`), or
    done by a touch (doing_touch)."""
    return {a.key for a in stage.actions if a.key in done or doing_touch(a, deal, touches) is not None}


def unmet_exit(deal: Deal, stage: Stage, touches: Sequence[Touch], done: Collection[str] = ()) -> list[Unmet]:
    """Exit criteria of `stage`: touches logged since the deal entered it (this visit), and its required
    actions done in this visit (`done`: the keys recorded since then)."""
    in_stage = [t for t in touches if t.deal_id == deal.id and t.at >= deal.stage_entered_at]
    finished = actions_done(deal, stage, touches, done)
    unmet = []
    for action in stage.actions:
        if not action.required or action.key in finished:
            continue
        unmet.append(Unmet(
            _("action not done in {stage}: {action}").format(stage=stage.word, action=action.word),
            _("log it with: salesflow touch {id} --kind {kind}").format(id=deal.id, kind=action.touch) if action.touch else
            _("when done, record it: salesflow did {id} {key}").format(id=deal.id, key=action.key)))
    for rule in stage.exit:
        if any(_fulfils(t, rule) for t in in_stage):
            continue
        if rule.with_notes:
            unmet.append(Unmet(
                _("no {kind} touch with notes logged in {key}").format(kind=rule.kind, key=stage.key),
                _("log it with: salesflow touch {id} --kind {kind} --note …").format(id=deal.id, kind=rule.kind),
            ))
        else:
            unmet.append(Unmet(
                _("no {kind} touch logged in {key}").format(kind=rule.kind, key=stage.key),
                _("log it with: salesflow touch {id} --kind {kind}").format(id=deal.id, kind=rule.kind),
            ))
    return unmet


def _fulfils(touch: Touch, rule: TouchRule) -> bool:
    return touch.kind == rule.kind and (not rule.with_notes or bool(touch.notes and touch.notes.strip()))


def unmet_for_move(deal: Deal, pipeline: Pipeline, target: Stage, touches: Sequence[Touch],
                   done: Collection[str] = ()) -> list[Unmet]:
    """Leaving the current stage (exit) and entering `target` (entry): every problem at once."""
    current = pipeline.stage(deal.stage)
    exits = unmet_exit(deal, current, touches, done) if current.is_open else []
    return exits + unmet_entry(deal, target, pipeline, set_fix(deal.id))
