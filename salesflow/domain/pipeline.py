"""Pipelines are data: ordered open stages plus `won` and `lost`, each with criteria.

A definition comes from TOML (a shipped template or an admin's file) and is validated here, with
every problem named by its place in the file. Entry criteria name deal fields that must be filled
(`phone|email` means either); exit criteria name touch kinds that must have been logged while the
deal was in the stage, optionally with notes.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from salesflow.domain.errors import BadInput, NotFound
from salesflow.domain.text import has_control
from salesflow.domain.vocabulary import GRADES, TOUCH_KINDS
from salesflow.i18n import _

# Fields a criterion may name besides a pipeline's own process fields.
BUILTIN_FIELDS = (
    "title", "customer", "contact", "phone", "email", "owner", "amount", "close_date", "source",
    "grade", "lost_reason",
)
# Bounds every limit and label of a pipeline definition must keep: a deadline is a stored date plus one of
# these, and must stay a date every report can hold.
MAX_DAYS = 3650
MAX_LABEL = 100
MAX_TOML = 1024 * 1024
MAX_GUIDE = 2000  # a guide is a few paragraphs: questions to ask, answers to objections, what to send
MAX_ACTIONS = 20  # per stage
MAX_REQUIRED_STEPS = 8  # a template asking for more results than this goes unused
_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}\Z")  # \Z: `$` would let a trailing line break through


class TouchRule(NamedTuple):
    kind: str
    with_notes: bool = False


def _read(english: str, chinese: str) -> str:
    """A definition's text in the reader's language: the Chinese one in zh when the definition has it."""
    from salesflow.i18n import current

    return chinese if current() == "zh" and chinese else english


class Action(NamedTuple):
    """A standard action of a stage (playbook): done with `did` or `touch --did`; `required` ones are exit
    criteria. `touch`: a touch of that kind logged while the deal is in the stage does it too."""
    key: str
    name: str
    label_zh: str
    required: bool = False
    guide: str = ""
    touch: str | None = None
    guide_zh: str = ""

    # the name and the guide as the reader's language has them (Chinese when given)
    word = property(lambda self: _read(self.name, self.label_zh))
    advice = property(lambda self: _read(self.guide, self.guide_zh))


class Step(NamedTuple):
    """One step of a touch template: its result is asked for when the template is used."""
    key: str
    name: str
    label_zh: str
    required: bool = False
    guide: str = ""
    guide_zh: str = ""

    # the name and the guide as the reader's language has them (Chinese when given)
    word = property(lambda self: _read(self.name, self.label_zh))
    advice = property(lambda self: _read(self.guide, self.guide_zh))


class TouchTemplate(NamedTuple):
    key: str
    name: str
    label_zh: str
    kind: str  # the touch kind it logs unless --kind says otherwise
    steps: tuple[Step, ...]

    word = property(lambda self: _read(self.name, self.label_zh))


class Stage(NamedTuple):
    key: str
    name: str
    label_zh: str
    kind: str  # open | won | lost
    prior: float
    idle_days: int | None
    entry: tuple[str, ...] = ()
    exit: tuple[TouchRule, ...] = ()
    actions: tuple[Action, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.kind == "open"

    @property
    def word(self) -> str:
        """The stage as a sentence names it: its key in English (as people type it), its label in Chinese."""
        from salesflow.i18n import current

        return self.label_zh if current() == "zh" else self.key


class GradeSLA(NamedTuple):
    first_touch_days: int
    cadence_days: int


class ProcessField(NamedTuple):
    key: str
    name: str
    label_zh: str


class Pipeline(NamedTuple):
    key: str
    name: str
    label_zh: str
    stages: tuple[Stage, ...]
    fields: tuple[ProcessField, ...]
    lost_reasons: tuple[str, ...]
    grades: dict[str, GradeSLA]
    visit_notes_hours: int = 24
    assign_minutes: int = 30
    templates: tuple[TouchTemplate, ...] = ()

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.is_open)

    @property
    def first(self) -> Stage:
        return self.open_stages[0]

    @property
    def last_open(self) -> Stage:
        return self.open_stages[-1]

    @property
    def won(self) -> Stage:
        return next(s for s in self.stages if s.kind == "won")

    @property
    def lost(self) -> Stage:
        return next(s for s in self.stages if s.kind == "lost")

    def stage(self, key: str) -> Stage:
        for s in self.stages:
            if s.key == key:
                return s
        raise NotFound(
            _("stage {key!r} is not in pipeline {key2}").format(key=key, key2=self.key),
            hint=_("stages: ") + ", ".join(s.key for s in self.stages),
        )

    def find_stage(self, typed: str) -> Stage:
        """The stage a person typed: its key, English name or Chinese label, any case, or a unique prefix."""
        from salesflow.domain.choose import choose

        key = choose(typed, [(s.key, (s.name, s.label_zh)) for s in self.stages], _("stage"), _("of pipeline {key}").format(key=self.key),
                     listed=", ".join(f"{s.key} ({s.label_zh})" for s in self.stages))
        return self.stage(key)

    def find_reason(self, typed: str) -> str:
        """A lost reason by key, label (价格) or a common wording (Too expensive), any case, or a unique prefix."""
        from salesflow.domain.choose import choose
        from salesflow.domain.vocabulary import LOST_REASON_LABELS, LOST_REASON_SYNONYMS

        options = [(key, (*LOST_REASON_LABELS.get(key, ()), *LOST_REASON_SYNONYMS.get(key, ())))
                   for key in self.lost_reasons]
        return choose(typed, options, _("lost reason"), _("of pipeline {key}").format(key=self.key),
                      listed=", ".join(f"{k} ({LOST_REASON_LABELS[k][1]})" if k in LOST_REASON_LABELS else k
                                       for k in self.lost_reasons))

    def position(self, key: str) -> int:
        """Index among open stages; won after every open stage; lost has none (-1)."""
        stage = self.stage(key)
        if stage.kind == "won":
            return len(self.open_stages)
        if stage.kind == "lost":
            return -1
        return self.open_stages.index(stage)

    def is_progress(self, from_key: str | None, to_key: str) -> bool:
        """A move that counts as progress (deal.progressed_at): from an open stage to a later one, or a win.
        store.analytics.progress_from_events rebuilds the same rule in SQL; doctor compares the two."""
        if from_key is None or not self.stage(from_key).is_open:
            return False
        return self.stage(to_key).kind != "lost" and self.position(to_key) > self.position(from_key)

    def field_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def find_action(self, typed: str, stage: Stage) -> Action:
        """An action of `stage` by its exact key, name or Chinese label (any case). No prefixes: recording
        an exit criterion as done takes the whole word, and a near miss gets a suggestion."""
        from salesflow.domain.choose import fold, suggest

        wanted = fold(typed)
        for action in stage.actions:  # the key first: a name can never shadow another action's key
            if wanted == fold(action.key):
                return action
        named = [a for a in stage.actions if wanted in (fold(a.name), fold(a.label_zh))]
        if len(named) == 1:
            return named[0]
        other = next((s for s in self.open_stages if s.key != stage.key for a in s.actions
                      if wanted in (fold(a.key), fold(a.name), fold(a.label_zh))), None)
        listed = ", ".join(f"{a.key} ({a.label_zh})" for a in stage.actions)
        if other is not None:
            raise NotFound(_("{typed} is an action of {other}, not of {stage} (the deal's stage)").format(
                typed=typed.strip(), other=other.word, stage=stage.word),
                hint=_("actions of {stage}: {keys}").format(stage=stage.word, keys=listed or "—"))
        if not stage.actions:
            raise NotFound(_("stage {stage} has no standard actions").format(stage=stage.word),
                           hint=_("see: salesflow playbook"))
        guess = suggest(typed, [a.key for a in stage.actions] + [a.name for a in stage.actions] + [a.label_zh for a in stage.actions])
        message = _("{typed!r} is not an action of stage {stage}").format(typed=typed, stage=stage.word)
        if guess is not None:
            message += _(" — did you mean {guess}?").format(guess=guess)
        raise NotFound(message, hint=_("actions: ") + listed)

    def find_template(self, typed: str) -> TouchTemplate:
        from salesflow.domain.choose import choose

        if not self.templates:
            raise NotFound(_("pipeline {key} has no touch templates").format(key=self.key),
                           hint=_("add [[templates]] to its definition: salesflow pipeline export {key}").format(key=self.key))
        key = choose(typed, [(t.key, (t.name, t.label_zh)) for t in self.templates], _("touch template"),
                     missing=_("{typed!r} is not a touch template of pipeline {key}").format(typed=typed, key=self.key),
                     listed=", ".join(f"{t.key} ({t.label_zh})" for t in self.templates))
        return next(t for t in self.templates if t.key == key)


def pipeline_from_dict(data: dict[str, Any], source: str) -> Pipeline:
    """Validate a parsed TOML definition; every problem is listed, each naming its place."""
    problems: list[str] = []

    def need(obj: dict, name: str, kind: type | tuple[type, ...], where: str, default: Any = ...,
             limits: tuple[int, int] | None = None) -> Any:
        if name not in obj:
            if default is ...:
                problems.append(f"{where}{name}: missing")
            return None if default is ... else default
        value = obj[name]
        if not isinstance(value, kind) or (kind in (int, float, (int, float)) and isinstance(value, bool)):
            problems.append(_("{where}{name}: expected {kind_name}, got {shown}").format(where=where, name=name, kind_name=_kind_name(kind), shown=_shown(value)))
            return None
        if isinstance(value, str) and (has_control(value) or len(value) > MAX_LABEL or "\n" in value or "\r" in value):
            problems.append(_("{where}{name}: {shown} must be one line of at most {max_label} characters of plain text (no control characters or text-direction overrides)").format(where=where, name=name, shown=_shown(value), max_label=MAX_LABEL))
            return None
        if limits is not None and not limits[0] <= value <= limits[1]:
            problems.append(_("{where}{name}: must be from {limits} to {limits2:,}, got {value}").format(where=where, name=name, limits=limits[0], limits2=limits[1], value=value))
            return None
        return value

    _unknown(data, {"key", "name", "label_zh", "lost_reasons", "sla", "grades", "fields", "stages", "templates"}, "", problems)
    key = need(data, "key", str, "")
    if key is not None and not _KEY.match(key):
        problems.append(_("key: {key!r} must be lower-case letters, digits, '-' or '_'").format(key=key))
    name = need(data, "name", str, "")
    label_zh = need(data, "label_zh", str, "", default=name or "")
    lost_reasons = need(data, "lost_reasons", list, "") or []
    if not lost_reasons and "lost_reasons" in data:
        problems.append(_("lost_reasons: at least one reason is needed"))
    for i, reason in enumerate(lost_reasons):
        if not isinstance(reason, str) or not _KEY.match(reason):
            problems.append(_("lost_reasons[{i}]: {reason!r} must be a key like 'no-budget'").format(i=i, reason=reason))

    sla = need(data, "sla", dict, "", default={}) or {}
    _unknown(sla, {"visit_notes_hours", "assign_minutes"}, "sla.", problems)
    visit_hours = need(sla, "visit_notes_hours", int, "sla.", default=24, limits=(1, MAX_DAYS * 24))
    assign_minutes = need(sla, "assign_minutes", int, "sla.", default=30, limits=(1, MAX_DAYS * 24 * 60))

    grades: dict[str, GradeSLA] = {}
    raw_grades = need(data, "grades", dict, "") or {}
    for grade in GRADES:
        g = raw_grades.get(grade)
        where = f"grades.{grade}."
        if not isinstance(g, dict):
            problems.append(_("grades.{grade}: missing (every pipeline sets first_touch_days and cadence_days for A, B and C)").format(grade=grade))
            continue
        _unknown(g, {"first_touch_days", "cadence_days"}, where, problems)
        first = need(g, "first_touch_days", int, where, limits=(0, MAX_DAYS))
        cadence = need(g, "cadence_days", int, where, limits=(0, MAX_DAYS))
        if first is not None and cadence is not None:
            grades[grade] = GradeSLA(first, cadence)
    for extra in set(raw_grades) - set(GRADES):
        problems.append(_("grades.{extra}: unknown grade (grades are A, B, C)").format(extra=extra))

    fields: list[ProcessField] = []
    for i, f in enumerate(need(data, "fields", list, "", default=[]) or []):
        where = f"fields[{i}]."
        if not isinstance(f, dict):
            problems.append(_("fields[{i}]: expected a table with key, name, label_zh").format(i=i))
            continue
        _unknown(f, {"key", "name", "label_zh"}, where, problems)
        fkey = need(f, "key", str, where)
        if fkey is not None and (not _KEY.match(fkey) or fkey in BUILTIN_FIELDS):
            problems.append(_("{where}key: {fkey!r} must be a new lower-case key (not a built-in deal field)").format(where=where, fkey=fkey))
        fname = need(f, "name", str, where)
        if fkey and fname:
            fields.append(ProcessField(fkey, fname, need(f, "label_zh", str, where, default=fname)))
    field_names = set(BUILTIN_FIELDS) | {f.key for f in fields}

    stages: list[Stage] = []
    raw_stages = need(data, "stages", list, "") or []
    for i, s in enumerate(raw_stages):
        where = f"stages[{i}]."
        if not isinstance(s, dict):
            problems.append(_("stages[{i}]: expected a table").format(i=i))
            continue
        _unknown(s, {"key", "name", "label_zh", "kind", "prior", "idle_days", "entry", "exit", "actions"}, where, problems)
        skey = need(s, "key", str, where)
        if skey is not None and not _KEY.match(skey):
            problems.append(_("{where}key: {skey!r} must be lower-case letters, digits, '-' or '_'").format(where=where, skey=skey))
        sname = need(s, "name", str, where)
        kind = need(s, "kind", str, where, default="open")
        if kind not in ("open", "won", "lost"):
            problems.append(_("{where}kind: must be open, won or lost, got {kind!r}").format(where=where, kind=kind))
        default_prior = {"won": 1.0, "lost": 0.0}.get(kind or "open", ...)
        prior = need(s, "prior", (int, float), where, default=default_prior)
        if prior is not None and not 0 <= prior <= 1:  # (nan is neither)
            problems.append(_("{where}prior: must be between 0 and 1, got {prior}").format(where=where, prior=prior))
            prior = None
        idle = need(s, "idle_days", int, where, default=None, limits=(0, MAX_DAYS))
        entry = need(s, "entry", list, where, default=[]) or []
        for j, criterion in enumerate(entry):
            if not isinstance(criterion, str):
                problems.append(_("{where}entry[{j}]: expected a field name, got {criterion!r}").format(where=where, j=j, criterion=criterion))
                continue
            for alternative in criterion.split("|"):
                if alternative not in field_names:
                    problems.append(
                        _("{where}entry[{j}]: unknown field {alternative!r} (known: {join})").format(where=where, j=j, alternative=alternative, join=', '.join(sorted(field_names)))
                    )
        rules: list[TouchRule] = []
        for j, rule in enumerate(need(s, "exit", list, where, default=[]) or []):
            if not isinstance(rule, dict) or not isinstance(rule.get("touch"), str):
                problems.append(_("{where}exit[{j}]: expected {{ touch = \"quote\" }} (optionally notes = true)").format(where=where, j=j))
                continue
            _unknown(rule, {"touch", "notes"}, f"{where}exit[{j}].", problems)
            if rule["touch"] not in TOUCH_KINDS:
                problems.append(_("{where}exit[{j}].touch: unknown kind {touch!r} (kinds: {join})").format(where=where, j=j, touch=rule['touch'], join=', '.join(TOUCH_KINDS)))
            notes = rule.get("notes", False)
            if not isinstance(notes, bool):
                problems.append(_("{where}exit[{j}].notes: expected true or false, got {notes!r}").format(where=where, j=j, notes=notes))
            rules.append(TouchRule(rule["touch"], bool(notes)))
        actions: list[Action] = []
        raw_actions = need(s, "actions", list, where, default=[]) or []
        if raw_actions and kind != "open":
            problems.append(_("{where}actions: only open stages have standard actions").format(where=where))
        if len(raw_actions) > MAX_ACTIONS:
            problems.append(_("{where}actions: at most {n} actions per stage").format(where=where, n=MAX_ACTIONS))
        for j, a in enumerate(raw_actions):
            at = f"{where}actions[{j}]."
            if not isinstance(a, dict):
                problems.append(_("{where}: expected a table with key, name, label_zh, required, guide").format(where=at.rstrip(".")))
                continue
            _unknown(a, {"key", "name", "label_zh", "required", "guide", "guide_zh", "touch"}, at, problems)
            akey, aname = _key(a, at, problems), need(a, "name", str, at)
            required = need(a, "required", bool, at, default=False)
            guide, guide_zh = _guide(a, "guide", at, problems), _guide(a, "guide_zh", at, problems)
            touch = need(a, "touch", str, at, default=None)
            if touch is not None and touch not in TOUCH_KINDS:
                problems.append(_("{where}touch: unknown kind {touch!r} (kinds: {join})").format(where=at, touch=touch, join=', '.join(TOUCH_KINDS)))
            if akey and aname:
                actions.append(Action(akey, aname, need(a, "label_zh", str, at, default=aname), bool(required), guide, touch,
                                      guide_zh))
        if skey and sname and kind in ("open", "won", "lost") and prior is not None:
            stages.append(Stage(skey, sname, need(s, "label_zh", str, where, default=sname), kind,
                                float(prior), idle, tuple(entry), tuple(rules), tuple(actions)))

    keys = [s.key for s in stages]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(_("stages: key {dup!r} appears more than once").format(dup=dup))
    action_keys = [a.key for s in stages for a in s.actions]
    for dup in sorted({k for k in action_keys if action_keys.count(k) > 1}):
        problems.append(_("stages: action key {dup!r} appears more than once (action keys are unique in a pipeline)").format(dup=dup))
    for s in stages:  # within a stage, a key, name or label names one action only (did takes any of them)
        words: dict[str, str] = {}
        for a in s.actions:
            for word in {a.key.lower(), a.name.strip().lower(), a.label_zh.strip().lower()}:
                if word in words and words[word] != a.key:
                    problems.append(_("stages[{i}].actions: {word!r} names both {a} and {b}").format(
                        i=stages.index(s), word=word, a=words[word], b=a.key))
                words.setdefault(word, a.key)

    templates: list[TouchTemplate] = []
    for i, t in enumerate(need(data, "templates", list, "", default=[]) or []):
        where = f"templates[{i}]."
        if not isinstance(t, dict):
            problems.append(_("templates[{i}]: expected a table with key, name, label_zh, kind, steps").format(i=i))
            continue
        _unknown(t, {"key", "name", "label_zh", "kind", "steps"}, where, problems)
        tkey, tname = _key(t, where, problems), need(t, "name", str, where)
        tkind = need(t, "kind", str, where, default="call")
        if tkind is not None and tkind not in TOUCH_KINDS:
            problems.append(_("{where}kind: unknown kind {touch!r} (kinds: {join})").format(where=where, touch=tkind, join=', '.join(TOUCH_KINDS)))
        steps: list[Step] = []
        raw_steps = need(t, "steps", list, where) or []
        for j, st in enumerate(raw_steps):
            at = f"{where}steps[{j}]."
            if not isinstance(st, dict):
                problems.append(_("{where}: expected a table with key, name, label_zh, required").format(where=at.rstrip(".")))
                continue
            _unknown(st, {"key", "name", "label_zh", "required", "guide", "guide_zh"}, at, problems)
            stkey, stname = _key(st, at, problems), need(st, "name", str, at)
            required = need(st, "required", bool, at, default=False)
            guide, guide_zh = _guide(st, "guide", at, problems), _guide(st, "guide_zh", at, problems)
            if stkey and stname:
                steps.append(Step(stkey, stname, need(st, "label_zh", str, at, default=stname), bool(required), guide, guide_zh))
        if "steps" in t and not raw_steps:
            problems.append(_("{where}steps: at least one step is needed").format(where=where))
        step_keys = [st.key for st in steps]
        for dup in sorted({k for k in step_keys if step_keys.count(k) > 1}):
            problems.append(_("{where}steps: key {dup!r} appears more than once").format(where=where, dup=dup))
        if sum(st.required for st in steps) > MAX_REQUIRED_STEPS:
            problems.append(_("{where}steps: at most {n} required steps (a record that asks for more goes unwritten)").format(where=where, n=MAX_REQUIRED_STEPS))
        if tkey and tname and steps and tkind in TOUCH_KINDS:
            templates.append(TouchTemplate(tkey, tname, need(t, "label_zh", str, where, default=tname), tkind, tuple(steps)))
    template_keys = [t.key for t in templates]
    for dup in sorted({k for k in template_keys if template_keys.count(k) > 1}):
        problems.append(_("templates: key {dup!r} appears more than once").format(dup=dup))
    if raw_stages:
        kinds = [s.kind for s in stages]
        if kinds.count("won") != 1 or kinds.count("lost") != 1:
            problems.append(_("stages: exactly one stage of kind 'won' and one of kind 'lost' are needed"))
        if kinds.count("open") < 1:
            problems.append(_("stages: at least one open stage is needed"))
        first_closed = next((i for i, k in enumerate(kinds) if k != "open"), len(kinds))
        if any(k == "open" for k in kinds[first_closed:]):
            problems.append(_("stages: open stages come first, then won and lost"))

    if problems:
        raise BadInput(
            _("{source}: {n} problem{value} in the pipeline definition").format(source=source, n=len(problems), value='s' if len(problems) > 1 else ''),
            details=problems,
            hint=_("compare with: salesflow pipeline export standard"),
        )
    return Pipeline(
        key=key, name=name, label_zh=label_zh or name, stages=tuple(stages), fields=tuple(fields),
        lost_reasons=tuple(lost_reasons), grades=grades, visit_notes_hours=visit_hours,
        assign_minutes=assign_minutes, templates=tuple(templates),
    )


def parse_pipeline_toml(text: str, source: str) -> Pipeline:
    import tomllib

    if len(text) > MAX_TOML:
        raise BadInput(_("{source}: {n:,} characters is too long for a pipeline definition").format(source=source, n=len(text)),
                       hint=_("a pipeline definition is at most {max_toml:,} characters").format(max_toml=MAX_TOML))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(_("{source}: not valid TOML: {exc}").format(source=source, exc=exc), hint=_("check the line it names")) from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise BadInput(_("{source}: not a pipeline definition (nested too deeply)").format(source=source),
                       hint=_("compare with: salesflow pipeline export standard")) from None
    except ValueError:  # a number of thousands of digits
        raise BadInput(_("{source}: not a pipeline definition (a number too long to read)").format(source=source),
                       hint=_("compare with: salesflow pipeline export standard")) from None
    return pipeline_from_dict(data, source)


def _guide(obj: dict, name: str, where: str, problems: list[str]) -> str:
    """A guide: plain text of several lines (questions to ask, objection answers, what to send)."""
    value = obj.get(name, "")
    if not isinstance(value, str):
        problems.append(_("{where}{name}: expected text, got {shown}").format(where=where, name=name, shown=_shown(value)))
        return ""
    value = value.strip().replace("\r\n", "\n")
    if has_control(value.replace("\n", "")) or len(value) > MAX_GUIDE:
        problems.append(_("{where}{name}: must be at most {n:,} characters of plain text (lines, but no control characters)").format(where=where, name=name, n=MAX_GUIDE))
        return ""
    return value


def _key(obj: dict, where: str, problems: list[str]) -> str | None:
    """A key checked as every key of a definition is (lower-case letters, digits, '-' or '_')."""
    if "key" not in obj:
        problems.append(f"{where}key: missing")
        return None
    value = obj["key"]
    if not isinstance(value, str) or not _KEY.match(value):
        problems.append(_("{where}key: {skey!r} must be lower-case letters, digits, '-' or '_'").format(where=where, skey=value))
        return None
    return value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _unknown(obj: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    for name in obj:
        if name not in allowed:
            problems.append(_("{where}{name}: unknown setting (allowed: {join})").format(where=where, name=name, join=', '.join(sorted(allowed))))


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: _("a whole number"), float: "a number", list: "a list", dict: "a table", bool: "true/false"}
    if isinstance(kind, tuple):
        return "a number"
    return names.get(kind, kind.__name__)
