"""The entry point. Commands are found through cli.app.COMMANDS and imported only when run."""

from __future__ import annotations

import os
import sys

from salesflow.cli.app import app

COMPLETION_OPTIONS = ("--install-completion", "--show-completion")


def main() -> None:
    # Typer's completion options cost every command ~20 ms to build: add them only when asked for
    # (installing completion, or the shell asking for completions on TAB).
    app._add_completion = bool(os.environ.get("_SALESFLOW_COMPLETE")) or any(
        arg in COMPLETION_OPTIONS for arg in sys.argv[1:2])
    if sys.argv[1:2] and sys.argv[1] in COMPLETION_OPTIONS and len(sys.argv) > 2:
        # `--show-completion zsh`: the shell named, rather than the one Typer detects
        os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
    app(prog_name="salesflow")
