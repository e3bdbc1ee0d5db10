"""Typer commands: parse → one call → emit. The only place that imports typer, reads the
environment or the real clock. Heavy modules (Rich, tabulate, sqlite-utils) load only on the paths
that draw or migrate; a test checks that importing this package loads none of them."""

from salesflow.cli.main import app, main

__all__ = ["app", "main"]
