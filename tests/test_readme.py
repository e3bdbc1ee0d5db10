"""The README is a promise: its set-up commands come first, and every command it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import all_commands

README = Path(__file__).resolve().parent.parent / "README.md"


def commands_named() -> set[tuple[str, ...]]:
    """`salesflow WORD [WORD]` in inline code, and at the start of lines inside code blocks."""
    text = README.read_text(encoding="utf-8")
    found = set(re.findall(r"`salesflow ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", text))
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        found |= set(re.findall(r"^(?:\$ )?(?:\.venv/bin/)?salesflow ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", block, flags=re.M))
    return {tuple(w for w in words if w) for words in found}


def test_the_readme_starts_with_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, flags=re.S)
    first = blocks[0].strip().splitlines()
    assert len(first) == 2
    assert "salesflow demo" in first[0] and "pip install" in first[0]
    assert "pytest" in first[1] and "pip install" in first[1]


def test_every_command_in_the_readme_has_help(cli):
    known = {tuple(path) for path, _ in all_commands() if path}
    named = commands_named()
    assert len(named) > 15
    for words in sorted(named):
        path = words if words in known else words[:1]
        assert path in known, f"README names `salesflow {' '.join(words)}`, which does not exist"
        assert "Usage" in cli.ok(*path, "--help").out


def test_every_command_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for path, command in all_commands():
        if path and not hasattr(command, "list_commands"):
            assert f"salesflow {' '.join(path)}" in text, f"`salesflow {' '.join(path)}` is not in the README"


def test_the_repository_stands_alone():
    """Code, tests, templates and docs never send a reader to a document outside the repository."""
    root = Path(__file__).resolve().parent.parent
    found = []
    for path in [root / "README.md", *root.joinpath("docs").rglob("*.md"), *root.joinpath("salesflow").rglob("*.py"),
                 *root.joinpath("salesflow", "templates").glob("*.toml"), *root.joinpath("tests").rglob("*.py"),
                 *root.joinpath("examples").rglob("*.*")]:
        if path.suffix in (".db", ".xlsx") or path == Path(__file__).resolve():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for marker in ("§", "PRODUCT.md", "product definition"):
            if marker in text:
                found.append(f"{path.relative_to(root)}: {marker}")
    assert found == []
