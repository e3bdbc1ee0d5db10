"""Messages go through the gettext catalog: every marked string is in it, the Chinese catalog translates
all of them, and the places that show text to people (errors, hints, report titles) never hold a bare
English string. Plus the language a command speaks: --lang, SALESFLOW_LANG, then the locale."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from salesflow.i18n import po_path

PACKAGE = Path(__file__).resolve().parent.parent / "salesflow"
ERRORS = {"BadInput", "NotFound", "Refused", "UsageProblem", "Problem", "Damaged", "SalesflowError"}


def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def marked() -> dict[str, str]:
    """Every literal given to _() or N_(), with where it is."""
    found: dict[str, str] = {}
    for path, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"):
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def catalog():
    with open(po_path("zh"), "rb") as fp:
        return {m.id: m.string for m in read_po(fp) if m.id}


def fields(text: str) -> set[str]:
    return {name.split("!")[0].split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_marked_message_is_in_the_catalog():
    zh = catalog()
    missing = [f"{where}: {text!r}" for text, where in marked().items() if text not in zh]
    assert missing == [], "add them to salesflow/locale/zh/LC_MESSAGES/salesflow.po (README: messages)"


def test_the_chinese_catalog_translates_every_message_with_the_same_placeholders():
    problems = []
    for msgid, msgstr in catalog().items():
        if not msgstr:
            problems.append(f"no translation: {msgid!r}")
        elif not fields(msgstr) <= fields(msgid):
            problems.append(f"{msgid!r}: the translation names {sorted(fields(msgstr) - fields(msgid))}")
    assert problems == []


def test_messages_are_marked_as_literals_and_user_facing_text_is_never_bare():
    """An error, a hint or a report title written as a bare string is shown in English to a Chinese team;
    `_(f"...")` would make every value a new message the catalog cannot hold."""
    bad = []

    def text(node) -> bool:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return any(ch.isalpha() for ch in node.value)
        return isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.Constant) and any(ch.isalpha() for ch in v.value) for v in node.values)

    for path, tree in sources():
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr \
                if isinstance(node.func, ast.Attribute) else ""
            if name in ("_", "N_") and node.args and isinstance(node.args[0], ast.JoinedStr):
                bad.append(f"{where}:{node.lineno} _() of an f-string")
            shown = []
            if name in ERRORS:
                shown = node.args[:1] + [k.value for k in node.keywords if k.arg == "hint"]
            elif name == "Report":
                shown = node.args[:1] + [k.value for k in node.keywords if k.arg in ("title", "empty")]
            bad += [f"{where}:{node.lineno} {name}: {ast.unparse(arg)[:60]}" for arg in shown if text(arg)]
    assert bad == []


def test_the_language_comes_from_the_flag_then_the_variable_then_the_locale(cli):
    cli.now = "2026-11-23T09:00"
    cli.ok("init")

    def first_error(*args, **env):
        return cli.fails(1, *args, env=env).err.splitlines()[0]

    assert first_error("show", "7") == "error: no deal #7"
    assert first_error("show", "7", LANG="zh_CN.UTF-8") == "错误：没有商机 #7"
    assert first_error("show", "7", LANG="zh_CN.UTF-8", LC_ALL="C") == "error: no deal #7"  # LC_ALL wins
    assert first_error("show", "7", LC_MESSAGES="zh_CN.UTF-8") == "错误：没有商机 #7"
    assert first_error("show", "7", LANG="zh_CN.UTF-8", SALESFLOW_LANG="en") == "error: no deal #7"
    assert first_error("--lang", "zh", "show", "7", SALESFLOW_LANG="en") == "错误：没有商机 #7"


@pytest.mark.parametrize("args, chinese", [
    (("due", "--as", "wang"), "待办 — wang（王伟）"),
    (("health",), "红"),
    (("stuck", "--over", "0"), "停滞商机"),
    (("funnel",), "阶段"),
    (("review", "--period", "2026-11"), "输单原因"),
    (("forecast",), "加权"),
])
def test_reports_speak_chinese_all_the_way(team, args, chinese):
    team.now = "2026-11-02T09:00"
    from conftest import add_lead

    deal = add_lead(team)
    team.now = "2026-11-20T09:00"
    team.ok("lose", str(deal), "--reason", "价格")
    add_lead(team, "深圳鼎盛电子有限公司", phone="13900139000")
    team.now = "2026-11-30T09:00"
    out = team.ok("--lang", "zh", "--color", "always", *args, env={"COLUMNS": "120"}).out
    assert chinese in out
    english = [w for w in ("Due", "Stage", "Reason", "overdue", "deals", "Funnel", "Rep", "Weighted", "Lost reasons")
               if w in out.replace("salesflow", "")]
    assert english == [], out


def test_no_function_hides_the_message_function_behind_a_local_name():
    """`value, _ = f()` in a function makes every `_("…")` there call the tuple's element instead."""
    bad = []
    for path, tree in sources():
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            for node in ast.walk(func):
                targets = []
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                elif isinstance(node, ast.For):  # (a comprehension's names stay inside it)
                    targets = [node.target]
                for target in targets:
                    names = [n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
                    if "_" in names:
                        bad.append(f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', func.lineno)}")
    assert bad == []
