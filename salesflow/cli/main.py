"""The entry point: registers every command module on the app and runs it."""

from __future__ import annotations

from salesflow.cli import deals, reps, setup, touches  # noqa: F401 - importing registers the commands
from salesflow.cli.app import app


def main() -> None:
    app(prog_name="salesflow")
