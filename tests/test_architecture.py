"""The layout's rules, checked by reading the code: a rule a machine checks is a rule that survives."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "salesflow"

# Which packages each layer may import (ARCHITECTURE.md): cli → app → domain, store;
# cli and app may use output and ingest; store may use domain records; domain only the stdlib.
ALLOWED = {
    "cli": {"cli", "app", "domain", "store", "output", "ingest", "templates"},
    "app": {"app", "domain", "store", "output", "ingest", "templates"},
    "store": {"store", "domain"},
    "output": {"output", "domain"},
    "ingest": {"ingest", "domain"},
    "domain": {"domain"},
    "templates": set(),
}
THIRD_PARTY = {
    "domain": {"dateutil", "numpy"},  # numpy: the forecast range simulation only, imported on that path
    "store": {"sqlite_utils"},
    "output": {"rich", "tabulate", "wcwidth", "icalendar"},
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
