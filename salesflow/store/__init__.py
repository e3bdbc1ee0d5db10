"""SQLite: opening, pragmas, migrations and every query. The only package that holds SQL."""
