"""The entry point. Commands are found through cli.app.COMMANDS and imported only when run."""

from __future__ import annotations

from salesflow.cli.app import app


def main() -> None:
    app(prog_name="salesflow")
