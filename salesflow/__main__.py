"""`python -m salesflow` runs the CLI."""

from salesflow.cli import main

main()
