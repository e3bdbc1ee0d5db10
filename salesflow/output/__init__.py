"""Report → Rich table / plain table / csv / tsv / json / jsonl / markdown; labels (en, zh)."""
