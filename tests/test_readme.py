"""The README is a promise: its set-up commands come first, and every command it names exists."""

from __future__ import annotations

import re
from pathlib import Path

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
    from salesflow.cli.app import app
    from typer.main import get_command

    root = get_command(app)
    named = commands_named()
    assert len(named) > 15
    for words in sorted(named):
        command, path = root, []
        for word in words:
            sub = getattr(command, "commands", {}).get(word)
            if sub is None:
                break
            command, path = sub, path + [word]
        assert path, f"README names `salesflow {' '.join(words)}`, which does not exist"
        assert "Usage" in cli.ok(*path, "--help").out


def test_every_command_is_in_the_readme():
    from salesflow.cli.app import app
    from typer.main import get_command

    text = README.read_text(encoding="utf-8")
    root = get_command(app)
    for name, command in root.commands.items():
        subs = getattr(command, "commands", None)
        for full in ([f"{name} {s}" for s in subs] if subs else [name]):
            assert f"salesflow {full}" in text, f"`salesflow {full}` is not in the README"
