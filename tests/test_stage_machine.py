"""Every (from, to) stage pair of every template: allowed, refused, or needing --force."""

from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files

import pytest

from salesflow.domain.errors import NotFound, Refused, UsageProblem
from salesflow.domain.moves import plan_move, plan_reopen
from salesflow.domain.pipeline import Pipeline, parse_pipeline_toml
from salesflow.domain.records import Deal, Touch
from salesflow.domain.vocabulary import TOUCH_KINDS

ENTERED = datetime(2026, 11, 1, 9, 0)
TEMPLATES = ["standard", "manufacturing", "saas"]


def template(name: str) -> Pipeline:
    return parse_pipeline_toml(files("salesflow.templates").joinpath(f"{name}.toml").read_text(), name)


def deal_in(pipeline: Pipeline, stage: str, *, complete: bool) -> Deal:
    status = {"won": "won", "lost": "lost"}.get(pipeline.stage(stage).kind, "open")
    return Deal(
        id=7, title="t", customer="ACME", pipeline=pipeline.key, stage=stage, status=status,
        created_at=ENTERED, stage_entered_at=ENTERED,
        contact="张三" if complete else None, phone="+8613800138000" if complete else None,
        source="expo" if complete else None, amount=1_000_00 if complete else 0,
        close_date=date(2026, 12, 1) if complete else None,
        fields={f.key: "x" for f in pipeline.fields} if complete else {},
        lost_from_stage=pipeline.open_stages[1].key if status == "lost" else None,
    )


def touches(complete: bool) -> list[Touch]:
    if not complete:
        return []
    return [Touch(i, 7, kind, ENTERED.replace(hour=10), "wang", notes="notes") for i, kind in enumerate(TOUCH_KINDS)]


def expected(pipeline: Pipeline, src: str, dst: str) -> str:
    """The stage rule restated over positions: 'allowed', 'reason', 'force' or 'refused'."""
    s, d = pipeline.stage(src), pipeline.stage(dst)
    if src == dst:
        return "refused"
    if s.kind == "won":
        return "force"
    if s.kind == "lost":
        return "refused-reopen" if d.kind != "lost" else "refused"
    if d.kind == "lost":
        return "allowed"
    if d.kind == "won":
        return "allowed" if src == pipeline.last_open.key else "force"
    keys = [x.key for x in pipeline.open_stages]
    step = keys.index(dst) - keys.index(src)
    return "allowed" if step == 1 else "force" if step > 1 else "reason"


def pairs() -> list:
    return [pytest.param(name, src.key, dst.key, id=f"{name}:{src.key}->{dst.key}")
            for name in TEMPLATES for src in template(name).stages for dst in template(name).stages]


@pytest.mark.parametrize("name, src, dst", pairs())
def test_stage_pair(name, src, dst):
    p = template(name)
    deal = deal_in(p, src, complete=True)
    outcome = expected(p, src, dst)

    def move(**kw):
        return plan_move(p, deal, dst, touches(True), lost_reason=p.lost_reasons[0],
                         done={a.key for s in p.stages for a in s.actions}, **kw)

    if outcome == "allowed":
        m = move()
        assert (m.from_stage, m.to_stage, m.forced) == (src, dst, False)
        assert m.status == {"won": "won", "lost": "lost"}.get(p.stage(dst).kind, "open")
    elif outcome == "reason":
        with pytest.raises(Refused, match="needs --reason"):
            move()
        assert move(reason="customer went quiet").forced is False
    elif outcome == "force":
        with pytest.raises(Refused) as err:
            move()
        assert "--force" in f"{err.value.message} {err.value.hint}"
        with pytest.raises(UsageProblem):
            move(force=True)  # --force without --reason is a usage error
        m = move(force=True, reason="signed early")
        assert m.forced and m.to_stage == dst
    elif outcome == "refused-reopen":
        with pytest.raises(Refused, match="reopen"):
            move()
    else:
        with pytest.raises(Refused):
            move()


@pytest.mark.parametrize("name", TEMPLATES)
def test_forward_step_lists_every_unmet_criterion(name):
    """An incomplete deal moving one stage forward is refused with one line per unmet criterion."""
    p = template(name)
    stages = p.open_stages
    for src, dst in zip(stages, list(stages[1:]) + [p.won]):
        deal = deal_in(p, src.key, complete=False)
        needed = len(src.exit) + sum(a.required for a in src.actions) + len(dst.entry)
        if needed == 0:
            assert plan_move(p, deal, dst.key, []).to_stage == dst.key
            continue
        with pytest.raises(Refused) as err:
            plan_move(p, deal, dst.key, [])
        assert len(err.value.details) == needed, err.value.details
        assert all("salesflow " in line for line in err.value.details)  # every one names its fix


def test_standard_refusals_read_as_a_rep_needs_them():
    p = template("standard")
    deal = deal_in(p, "qualified", complete=False)
    with pytest.raises(Refused) as err:
        plan_move(p, deal, "proposal", [])
    assert err.value.message == "#7 cannot move from qualified to proposal: 2 criteria unmet"
    assert err.value.details == [
        "amount is 0 — set it with: salesflow set 7 amount=…",
        "expected close date is empty — set it with: salesflow set 7 close=…",
    ]
    deal = deal_in(p, "negotiation", complete=True)
    with pytest.raises(Refused) as err:
        plan_move(p, deal, "won", [Touch(1, 7, "meeting", ENTERED.replace(hour=10), "wang", notes="  ")])
    assert err.value.details == [
        "no meeting touch with notes logged in negotiation — log it with: salesflow touch 7 --kind meeting --note …"]


def test_a_touch_before_entering_the_stage_does_not_count():
    p = template("standard")
    deal = deal_in(p, "proposal", complete=True)
    early = Touch(1, 7, "quote", ENTERED.replace(hour=8), "wang")
    with pytest.raises(Refused) as err:
        plan_move(p, deal, "negotiation", [early], done={"confirm-decision-maker"})
    assert err.value.details == ["action not done in proposal: Send the formal quote — log it with: salesflow touch 7 --kind quote"]
    in_stage = Touch(2, 7, "quote", ENTERED.replace(hour=10), "wang")
    assert plan_move(p, deal, "negotiation", [early, in_stage], done={"confirm-decision-maker"}).to_stage == "negotiation"


def test_required_actions_are_exit_criteria_each_with_its_fix():
    p = template("standard")
    deal = deal_in(p, "proposal", complete=True)
    quote = Touch(1, 7, "quote", ENTERED.replace(hour=10), "wang")
    with pytest.raises(Refused) as err:
        plan_move(p, deal, "negotiation", [quote], done={"fix-review-date"})  # an optional one does not help
    assert err.value.details == [
        "action not done in proposal: Confirm the decision maker — when done, record it: salesflow did 7 confirm-decision-maker"]
    # a forced move goes past it and says so
    move = plan_move(p, deal, "negotiation", [quote], force=True, reason="met at the expo")
    assert [u.criterion for u in move.overridden] == ["action not done in proposal: Confirm the decision maker"]
    # losing needs no action done
    assert plan_move(p, deal, "lost", [], lost_reason="price").to_stage == "lost"


def test_forced_move_records_what_it_overrode():
    p = template("standard")
    m = plan_move(p, deal_in(p, "lead", complete=False), "proposal", [], force=True, reason="big customer")
    assert m.forced and m.reason == "big customer"
    assert [u.criterion for u in m.overridden] == [
        "need is empty", "budget is empty", "decision maker is empty",  # qualified, skipped
        "amount is 0", "expected close date is empty"]


def test_lose_needs_a_known_reason():
    p = template("standard")
    deal = deal_in(p, "proposal", complete=True)
    with pytest.raises(NotFound, match="lost reason 'cheaper' is not a lost reason of pipeline standard"):
        plan_move(p, deal, "lost", [], lost_reason="cheaper")
    with pytest.raises(Refused, match="no lost reason given"):
        plan_move(p, deal, "lost", [], lost_reason="")
    assert plan_move(p, deal, "lost", [], lost_reason="price").status == "lost"
    # as the screen and people say it: a label, a wording, any case, a unique prefix
    for typed in ("价格", "Price", "too expensive", "pri"):
        assert plan_move(p, deal, "lost", [], lost_reason=typed).lost_reason == "price"
    assert plan_move(p, deal, "Lost", [], lost_reason="竞争对手").lost_reason == "competitor"


@pytest.mark.parametrize("name", TEMPLATES)
def test_reopen_returns_to_the_stage_it_was_lost_from(name):
    p = template(name)
    lost = deal_in(p, "lost", complete=True)
    assert plan_reopen(p, lost, reason="budget approved").to_stage == p.open_stages[1].key
    with pytest.raises(UsageProblem):
        plan_reopen(p, lost, reason=None)
    won = deal_in(p, "won", complete=True)
    with pytest.raises(Refused, match="final"):
        plan_reopen(p, won, reason="x")
    assert plan_reopen(p, won, reason="x", force=True).forced
    with pytest.raises(Refused, match="only closed deals"):
        plan_reopen(p, deal_in(p, p.first.key, complete=True), reason="x")
