"""Playbooks: a stage's standard actions (`did`, `touch --did`, the checklist in `show` and `why`), the
pipeline's touch templates (`touch --template`), and `playbook`, which prints them with their guides."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from salesflow.app.context import Act, Outcome, writes
from salesflow.domain.criteria import actions_done, doing_touch
from salesflow.domain.dates import iso
from salesflow.domain.errors import BadInput, Refused
from salesflow.domain.pipeline import Action, Pipeline, Stage, TouchTemplate
from salesflow.domain.records import Deal
from salesflow.domain.text import clean_text
from salesflow.i18n import N_, _
from salesflow.output.report import Column, Report
from salesflow.store import deals as store
from salesflow.store import changes
from salesflow.store import playbooks as records
from salesflow.store.changes import Cmd
from salesflow.store.pipelines import load_pipeline, pipeline_keys, get_meta

STEP_MAX = 500  # characters of one step's result


def done_keys(conn: sqlite3.Connection, deal: Deal) -> set[str]:
    """The current stage's actions recorded as done in this visit (for the exit criteria)."""
    return {r["action"] for r in records.actions_done(conn, deal.id, deal.stage, iso(deal.stage_entered_at))}


def checklist(conn: sqlite3.Connection, deal: Deal, pipeline: Pipeline) -> list[dict[str, Any]]:
    """The current stage's actions: done (when, by whom) or still open. Empty for a closed deal."""
    stage = pipeline.stage(deal.stage)
    if not deal.is_open or not stage.actions:
        return []
    recorded = {r["action"]: r for r in records.actions_done(conn, deal.id, stage.key, iso(deal.stage_entered_at))}
    touches = store.touches_for(conn, deal.id)
    rows = []
    for action in stage.actions:
        row = recorded.get(action.key)
        by_touch = doing_touch(action, deal, touches) if row is None else None
        rows.append({
            "stage": stage.key, "stage_word": stage.word, "action": action.key, "name": action.word,
            "required": action.required,
            "done": row is not None or by_touch is not None,
            "done_at": datetime.fromisoformat(row["at"]) if row else by_touch.at if by_touch else None,
            "done_by": row["by"] if row else by_touch.by if by_touch else None,
            "touch_id": row["touch_id"] if row else by_touch.id if by_touch else None,
            "notes": row["notes"] if row else None,
        })
    return rows


def mark_done(conn: sqlite3.Connection, cmd: Cmd, deal: Deal, pipeline: Pipeline, typed: Sequence[str], now: datetime,
              *, touch_id: int | None = None, notes: str | None = None) -> tuple[list[Action], list[Action]]:
    """Record the typed actions of the deal's current stage as done; returns (recorded, already done)."""
    if not deal.is_open:
        raise Refused(_("#{deal_id} is {status}; actions are recorded on open deals").format(deal_id=deal.id, status=deal.status),
                      hint=_("reopen it first: salesflow reopen {deal_id} --reason …").format(deal_id=deal.id))
    stage = pipeline.stage(deal.stage)
    wanted: list[Action] = []
    for text in typed:
        action = pipeline.find_action(text, stage)
        if action not in wanted:
            wanted.append(action)
    touches = [t for t in store.touches_for(conn, deal.id) if t.id != touch_id]  # this touch's own --did is recorded
    finished = actions_done(deal, stage, touches, done_keys(conn, deal))
    recorded, already = [], []
    for action in wanted:
        if action.key in finished:
            already.append(action)
            continue
        changes.insert(conn, cmd, "action_done", {
            "deal_id": deal.id, "stage": stage.key, "action": action.key, "at": iso(now), "by": cmd.by,
            "touch_id": touch_id, "notes": notes, "command_id": cmd.id})
        recorded.append(action)
    return recorded, already


def still_open(conn: sqlite3.Connection, deal_id: int) -> list[Action]:
    """Required actions of the deal's stage not done yet (read inside the same write, after recording)."""
    deal = store.get_deal(conn, deal_id)
    stage = load_pipeline(conn, deal.pipeline).stage(deal.stage)
    finished = actions_done(deal, stage, store.touches_for(conn, deal.id), done_keys(conn, deal))
    return [a for a in stage.actions if a.required and a.key not in finished]


def said_done(out: Outcome, deal: Deal, stage: Stage, recorded: list[Action], already: list[Action], left: list[Action]) -> None:
    if recorded:
        out.lines.append(_("#{deal_id}: done in {stage}: {actions}").format(
            deal_id=deal.id, stage=stage.word, actions=", ".join(a.word for a in recorded)))
    for action in already:
        out.notes.append(_("already done in this stage: {action}").format(action=action.word))
    if left:
        out.notes.append(_("still to do in {stage}: {actions}").format(stage=stage.word, actions=", ".join(a.word for a in left)))
    elif recorded and stage.actions:
        out.notes.append(_("every required action of {stage} is done").format(stage=stage.word))


@writes
def record_actions(conn: sqlite3.Connection, cmd: Cmd, deal_id: int, typed: Sequence[str], act: Act, *,
                   note: str | None = None) -> Outcome:
    """`did`: mark standard actions of the deal's current stage as done."""
    deal = store.get_deal(conn, deal_id)
    pipeline = load_pipeline(conn, deal.pipeline)
    notes = clean_text(note, "note")
    recorded, already = mark_done(conn, cmd, deal, pipeline, typed, act.now, notes=notes)
    stage = pipeline.stage(deal.stage)
    if not recorded:
        raise Refused(_("#{deal_id}: already done in {stage}: {actions}").format(
            deal_id=deal_id, stage=stage.word, actions=", ".join(a.word for a in already)),
            hint=_("the checklist: salesflow show {deal_id}").format(deal_id=deal_id))
    out = Outcome()
    said_done(out, deal, stage, recorded, already, still_open(conn, deal_id))
    return out


# ---------------------------------------------------------------------------------------------
# touch templates


def template_of(conn: sqlite3.Connection, deal_id: int, typed: str) -> TouchTemplate:
    """The touch template `typed` names, in the pipeline of the deal (for the terminal's prompts)."""
    deal = store.get_deal(conn, deal_id)
    return load_pipeline(conn, deal.pipeline).find_template(typed)


def step_results(template: TouchTemplate, given: dict[str, str]) -> dict[str, str]:
    """Each step's result by step key in the template's order; every required one present."""
    results: dict[str, str] = {}
    for typed, text in given.items():
        step = next((s for s in template.steps if typed.strip().lower() in (s.key, s.name.lower(), s.label_zh)), None)
        if step is None:
            raise BadInput(_("{typed!r} is not a step of template {key}").format(typed=typed, key=template.key),
                           hint=_("steps: ") + ", ".join(f"{s.key} ({s.label_zh})" for s in template.steps))
        value = clean_text(text, step.word, max_len=STEP_MAX)
        if value:
            results[step.key] = value
    missing = [s for s in template.steps if s.required and s.key not in results]
    if missing:
        raise BadInput(_("template {key}: no result for the required step{s} {steps}").format(
            key=template.key, s="s" if len(missing) > 1 else "", steps=", ".join(f"{s.key} ({s.word})" for s in missing)),
            hint=_("give each as --step KEY=TEXT, e.g. --step {key}=…").format(key=missing[0].key))
    return {s.key: results[s.key] for s in template.steps if s.key in results}


def parse_steps(values: Sequence[str]) -> dict[str, str]:
    """`--step KEY=TEXT` options, as given."""
    given: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise BadInput(_("--step {value!r} is not KEY=TEXT").format(value=value), hint=_("e.g. --step needs=two lines, 50 units"))
        if key.strip() in given:
            raise BadInput(_("--step {key} is given twice").format(key=key.strip()))
        given[key.strip()] = text
    return given


def steps_text(template: str | None, steps: str | None, pipeline: Pipeline | None) -> str:
    """A stored touch's step results as one line: "Greeting: … · Needs: …" (labels in zh)."""
    if not steps:
        return ""
    found = next((t for t in pipeline.templates if t.key == template), None) if pipeline else None
    names = {s.key: s.word for s in found.steps} if found else {}
    return " · ".join(f"{names.get(k, k)}: {v}" for k, v in json.loads(steps).items())


# ---------------------------------------------------------------------------------------------
# playbook


PLAYBOOK_COLUMNS = [
    Column("stage", "stage"), Column("key", "key"), Column("name", label=N_("Action")),
    Column("required", "bool"), Column("guide"),
]


def playbook_report(conn: sqlite3.Connection, stage: str | None = None, pipeline: str | None = None) -> tuple[Report, Pipeline]:
    """Every stage's standard actions (or one stage's), with their guides: csv/json rows
    `stage, key, name, required, guide`; `name` is the English name in csv/json, the label in zh tables."""
    from salesflow.i18n import current
    from salesflow.store.pipelines import stage_labels

    key = pipeline or get_meta(conn, "default_pipeline") or (pipeline_keys(conn) or ["standard"])[0]
    p = load_pipeline(conn, key)
    stages = [p.find_stage(stage)] if stage else list(p.open_stages)
    zh = current() == "zh"
    rows = [{"stage": s.key, "key": a.key, "name": a.label_zh if zh else a.name, "required": a.required,
             "guide": a.advice, "_name": a.name, "_guide": a.guide}
            for s in stages for a in s.actions]
    from salesflow.app.setup import template_names

    empty = (_("stage {stage} has no standard actions").format(stage=stages[0].word) if stage
             else _("pipeline {key} has no standard actions (a database made before playbooks: salesflow pipeline load --template {key})").format(key=p.key)
             if p.key in template_names() else _("pipeline {key} has no standard actions").format(key=p.key))
    return Report(title=_("Playbook: {name}").format(name=p.label_zh if zh else p.name), columns=PLAYBOOK_COLUMNS,
                  rows=rows, stage_labels=stage_labels(conn), empty=empty,
                  footer=[_("record an action with: salesflow did DEAL KEY, or salesflow touch DEAL --kind … --did KEY")]), p


def machine_rows(report: Report) -> Report:
    """The playbook with `name` as the English name (csv/json stay the same in every language)."""
    return Report(title=report.title, columns=report.columns, stage_labels=report.stage_labels, empty=report.empty,
                  rows=[row | {"name": row["_name"], "guide": row["_guide"]} for row in report.rows])


def template_lines(p: Pipeline) -> list[tuple[TouchTemplate, list[str]]]:
    """The pipeline's touch templates as printed under the playbook."""
    out = []
    for t in p.templates:
        out.append((t, [f"{s.word} ({s.key})" + ("" if s.required else _(" — optional")) for s in t.steps]))
    return out

