"""salesflow: sales process management over one local SQLite file."""

__version__ = "0.1.0"
