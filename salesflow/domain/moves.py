"""The stage machine: which moves are allowed, refused, or need `--force --reason`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from salesflow.domain.criteria import Unmet, set_fix, unmet_entry, unmet_for_move
from salesflow.domain.errors import Refused, UsageProblem
from salesflow.domain.pipeline import Pipeline
from salesflow.domain.records import Deal, Touch
from salesflow.i18n import _


@dataclass(frozen=True)
class Move:
    deal_id: int
    from_stage: str
    to_stage: str
    status: str  # the deal's status after the move
    forced: bool
    reason: str | None
    lost_reason: str | None = None
    overridden: tuple[Unmet, ...] = ()  # criteria a forced move went past
    forward: bool = False  # to a later open stage, or a win: progress, for health


def plan_move(
    pipeline: Pipeline,
    deal: Deal,
    target_key: str,
    touches: Sequence[Touch],
    *,
    force: bool = False,
    reason: str | None = None,
    lost_reason: str | None = None,
    done: Collection[str] = (),
) -> Move:
    """Decide a move of `deal` to `target_key`; raises Refused listing every unmet criterion. `done`: the
    current stage's actions recorded as done in this visit."""
    reason = (reason or "").strip() or None
    if force and not reason:
        raise UsageProblem(_("--force needs --reason TEXT"), hint=_("say why, e.g. --reason \"signed early\""))
    target = pipeline.find_stage(target_key)
    current = pipeline.stage(deal.stage)
    ref = f"#{deal.id}"
    forced = False

    if deal.status == "won":
        if not force:
            raise Refused(_("{ref} is won; won deals are final").format(ref=ref),
                          hint=_("to change it anyway: add --force --reason TEXT"))
        forced = True
    elif deal.status == "lost" and target.kind != "lost":
        if not force:
            raise Refused(_("{ref} is lost; reopen it before moving it").format(ref=ref),
                          hint=_("salesflow reopen {id} --reason …").format(id=deal.id))
        forced = True
    if target.key == current.key:
        raise Refused(_("{ref} is already in {key}").format(ref=ref, key=target.word))

    if target.kind == "lost":
        if not lost_reason:
            raise Refused(_("{ref} cannot be lost: no lost reason given").format(ref=ref),
                          hint=_("reasons: ") + ", ".join(pipeline.lost_reasons))
        return Move(deal.id, current.key, target.key, "lost", forced, reason, pipeline.find_reason(lost_reason))

    status = "won" if target.kind == "won" else "open"
    from_pos = pipeline.position(current.key) if current.is_open else pipeline.position(deal.lost_from_stage or pipeline.first.key)
    to_pos = pipeline.position(target.key)

    if current.is_open and to_pos < from_pos:
        if not reason:
            raise Refused(_("moving {ref} back from {key} to {key2} needs --reason TEXT").format(ref=ref, key=current.word, key2=target.word))
        return Move(deal.id, current.key, target.key, status, forced, reason)

    skipped = [s.key for s in pipeline.open_stages[from_pos + 1:to_pos]] if current.is_open else []
    unmet = unmet_for_move(deal, pipeline, target, touches, done)
    if skipped and not force:
        what = "winning" if target.kind == "won" else _("moving {ref} from {key} to {key2}").format(ref=ref, key=current.word, key2=target.word)
        raise Refused(_("{what} skips {join}; add --force --reason TEXT to skip stages").format(what=what, join=', '.join(skipped))
                      if target.kind != "won" else
                      _("{ref} can be won only from {key} (it is in {key2}); add --force --reason TEXT").format(ref=ref, key=pipeline.last_open.word, key2=current.word))
    if unmet and not force:
        raise Refused(
            _("{ref} cannot move from {key} to {key2}: {n} criteri{value} unmet").format(ref=ref, key=current.word, key2=target.word, n=len(unmet), value='a' if len(unmet) > 1 else 'on'),
            details=[f"{u.criterion} — {u.fix}" for u in unmet],
        )
    forced = forced or bool(skipped) or bool(unmet)
    # A forced skip also goes past the entry criteria of every stage it skips.
    passed = [u for key in skipped for u in unmet_entry(deal, pipeline.stage(key), pipeline, set_fix(deal.id))]
    forward = current.is_open and to_pos > from_pos
    return Move(deal.id, current.key, target.key, status, forced, reason, overridden=tuple(passed + unmet),
                forward=forward)


def plan_reopen(pipeline: Pipeline, deal: Deal, *, reason: str | None, force: bool = False) -> Move:
    """A lost deal returns to the stage it was lost from; a won deal only with --force."""
    reason = (reason or "").strip() or None
    if not reason:
        raise UsageProblem(_("reopen needs --reason TEXT"), hint=_("say why, e.g. --reason \"budget approved\""))
    if deal.status == "open":
        raise Refused(_("#{id} is open (in {stage}); only closed deals can be reopened").format(id=deal.id, stage=deal.stage))
    if deal.status == "won":
        if not force:
            raise Refused(_("#{id} is won; won deals are final").format(id=deal.id), hint=_("to reopen it anyway: add --force"))
        return Move(deal.id, deal.stage, pipeline.last_open.key, "open", True, reason)
    open_keys = {s.key for s in pipeline.open_stages}
    back_to = deal.lost_from_stage if deal.lost_from_stage in open_keys else pipeline.first.key
    return Move(deal.id, deal.stage, back_to, "open", False, reason)
