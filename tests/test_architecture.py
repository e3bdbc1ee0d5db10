"""The layout's rules, checked by reading the code: a rule a machine checks is a rule that survives."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "salesflow"

# Which packages each layer may import (ARCHITECTURE.md): cli → app → domain, store;
# cli and app may use output and ingest; store may use domain records; domain only the stdlib.
ALLOWED = {  # every layer may use i18n (the message catalog: stdlib gettext)
    "cli": {"cli", "app", "domain", "store", "output", "ingest", "templates", "i18n"},
    "app": {"app", "domain", "store", "output", "ingest", "templates", "i18n"},
    "store": {"store", "domain", "i18n"},
    "output": {"output", "domain", "i18n"},
    "ingest": {"ingest", "domain", "i18n"},
    "domain": {"domain", "i18n"},
    "templates": set(),
}
THIRD_PARTY = {
    "domain": {"dateutil", "numpy", "babel"},  # numpy: forecast --range only; babel: ISO 4217 codes; both on their paths
    "store": {"sqlite_utils", "psycopg"},  # psycopg: a postgresql:// database only (store/pg.py)
    "output": {"rich", "tabulate", "wcwidth", "icalendar", "pygal"},  # pygal: the HTML pages' charts only
    "ingest": {"phonenumbers", "openpyxl", "pypinyin"},
    "app": set(),
}


def imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def layer_files():
    for layer in ALLOWED:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            yield layer, path


def violations(layer: str, path: Path) -> list[str]:
    bad = []
    stdlib = sys.stdlib_module_names
    for module, line in imports(path):
        top, *rest = module.split(".")
        if top == "salesflow":
            target = rest[0] if rest else ""
            if target and target not in ALLOWED[layer] and target != "__init__":
                bad.append(f"{path.name}:{line} imports salesflow.{target}")
        elif top not in stdlib and layer in THIRD_PARTY and top not in THIRD_PARTY[layer]:
            bad.append(f"{path.name}:{line} imports {top}")
        if layer != "store" and top == "sqlite3" and layer not in ("cli", "app"):
            bad.append(f"{path.name}:{line} imports sqlite3")
    return bad


@pytest.mark.parametrize("layer, path", list(layer_files()), ids=lambda v: str(v).split("salesflow/")[-1])
def test_imports_point_the_right_way(layer, path):
    assert violations(layer, path) == []


def test_the_checker_catches_a_wrong_arrow(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from salesflow.cli.app import app\nimport rich\n")
    assert violations("domain", bad) == ["bad.py:1 imports salesflow.cli", "bad.py:2 imports rich"]


def test_sql_lives_only_in_store():
    for layer, path in layer_files():
        if layer == "store":
            continue
        text = path.read_text(encoding="utf-8")
        for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE"):
            assert f'"{keyword}' not in text and f"'{keyword}" not in text, f"SQL in {path}"


def test_nothing_below_cli_reads_the_clock_or_the_environment():
    for layer, path in layer_files():
        if layer == "cli":
            continue
        text = path.read_text(encoding="utf-8")
        assert "datetime.now(" not in text and "date.today(" not in text, f"clock read in {path}"
        assert "os.environ" not in text and "getenv(" not in text, f"environment read in {path}"


def test_importing_the_cli_loads_no_heavy_module():
    code = ("import sys, salesflow.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'rich', 'tabulate', 'sqlite_utils', 'pydantic', 'phonenumbers', 'openpyxl', 'numpy', 'wcwidth'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- the write path: every decision inside its write transaction ----------------------------------------------
#
# A write use case is an `@writes` function (app/context.py): its whole body runs inside BEGIN IMMEDIATE,
# so nothing it reads can be stale when it writes. The rules below make any other shape fail:
#  1. only app/context.py opens a command transaction (`command(`, `write(`, `begin_command(`);
#  2. a function in app/ that calls anything that writes (changes.*, bulk.*, or a store function whose SQL
#     inserts, updates or deletes) is `@writes`, or takes the `cmd` that only exists inside one, or is a
#     method of a class made with one;
#  3. the CLI reaches the store only to open the database (its reads would happen outside any transaction).

WRITE_SQL = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\s")  # the store's SQL is upper-case


def _store_writers() -> set[str]:
    """`module.function` for every store function that writes, directly or through another one."""
    bodies: dict[str, ast.FunctionDef] = {}
    for path in sorted((PACKAGE / "store").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                bodies[f"{path.stem}.{node.name}"] = node
    writers = set()
    for name, node in bodies.items():
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and WRITE_SQL.match(sub.value):
                writers.add(name)
    changed = True
    while changed:  # a store function that calls a writer of its own module writes too
        changed = False
        for name, node in bodies.items():
            module = name.split(".")[0]
            called = {f"{module}.{c.func.id}" for c in ast.walk(node)
                      if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            if name not in writers and called & writers:
                writers.add(name)
                changed = True
    return writers | {"changes.insert", "changes.update", "changes.log_change", "changes.begin_command"}


def _aliases(tree: ast.Module) -> tuple[dict[str, str], dict[str, str]]:
    """(alias -> store module) for `from salesflow.store import x as y`, (name -> module.function) for
    `from salesflow.store.x import f`."""
    modules, functions = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("salesflow.store"):
            for a in node.names:
                if node.module == "salesflow.store":
                    modules[a.asname or a.name] = a.name
                else:
                    functions[a.asname or a.name] = f"{node.module.rsplit('.', 1)[1]}.{a.name}"
    return modules, functions


def write_path_violations(path: Path, writers: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, functions = _aliases(tree)
    bad = []

    def calls(fn) -> list[tuple[str, int]]:
        found = []
        for c in ast.walk(fn):
            if not isinstance(c, ast.Call):
                continue
            if isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name) and c.func.value.id in modules:
                found.append((f"{modules[c.func.value.id]}.{c.func.attr}", c.lineno))
            elif isinstance(c.func, ast.Name) and c.func.id in functions:
                found.append((functions[c.func.id], c.lineno))
        return found

    def decorated(fn) -> bool:  # @writes, @writes(…), or @loads (a copy: a transaction with no command row)
        return any((isinstance(d, ast.Name) and d.id in ("writes", "loads"))
                   or (isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "writes")
                   for d in fn.decorator_list)

    def has_cmd(fn) -> bool:
        return any(a.arg == "cmd" for a in fn.args.args + fn.args.kwonlyargs)

    def visit(node, in_writer_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                init = next((n for n in child.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
                visit(child, init is not None and has_cmd(init))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if path.name != "context.py":
                    for name, line in calls(child):
                        if name in ("db.write", "changes.begin_command"):
                            bad.append(f"{path.name}:{line} opens a transaction outside app/context.py")
                if not (decorated(child) or has_cmd(child) or in_writer_class or path.name == "context.py"):
                    own = [c for c in calls(child) if c[0] in writers]
                    bad.extend(f"{path.name}:{line} {child.name}() calls {name} outside a write use case"
                               for name, line in own)
                visit(child, in_writer_class)

    visit(tree, False)
    if path.name != "context.py":
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "command":
                bad.append(f"{path.name}:{node.lineno} opens a command outside app/context.py (use @writes)")
    return sorted(set(bad))


def test_store_writers_are_found():
    writers = _store_writers()
    assert {"changes.insert", "pipelines.set_meta", "forecast.replace_snapshot", "bulk.insert_many",
            "undo.revert_insert"} <= writers
    assert "deals.get_deal" not in writers and "pipelines.load_pipeline" not in writers


@pytest.mark.parametrize("path", sorted((PACKAGE / "app").glob("*.py")), ids=lambda p: p.name)
def test_every_write_runs_inside_its_transaction(path):
    assert write_path_violations(path, _store_writers()) == []


def test_the_write_rule_catches_a_read_before_the_lock(tmp_path):
    # the shape of the old `set`: read the deal, then open the transaction and write what was read
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from salesflow.store import changes\nfrom salesflow.store import deals as store\n"
        "from salesflow.app.context import command\n"
        "def set_fields(conn, deal_id, act):\n"
        "    deal = store.get_deal(conn, deal_id)\n"
        "    with command(conn, act) as cmd:\n"
        "        changes.update(conn, cmd, 'deal', deal_id, {'fields': deal.fields})\n"
        "def helper(conn):\n"
        "    changes.update(conn, None, 'deal', 1, {})\n")
    assert write_path_violations(bad, _store_writers()) == [
        "bad.py:6 opens a command outside app/context.py (use @writes)",
        "bad.py:7 set_fields() calls changes.update outside a write use case",
        "bad.py:9 helper() calls changes.update outside a write use case",
    ]


def test_the_cli_reaches_the_store_only_to_open_it():
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for module, line in imports(path):
            if module.startswith("salesflow.store"):
                assert module == "salesflow.store.db", f"{path.name}:{line} imports {module}"
