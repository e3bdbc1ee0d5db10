"""Pure rules and arithmetic: no SQLite, no Rich, no clock. Imports only the stdlib and dateutil."""
