"""Turning outside values into ours: import presets and header aliases (later), value coercion."""
