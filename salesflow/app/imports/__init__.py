"""`import deals|touches`: another system's history in one transaction, idempotent, with a dry run.

- `common`  the options, the tally, the row loop, the rejects file and the summary
- `plan`    what every row is checked against, settled once (pipelines, stage/status/reason words)
- `rules`   pure functions: one row → a checked `Draft` (status and stage, dates, history, reason, key)
- `deals`   matching drafts against the database, and writing them; `touches` the same for touches
- `writer`  ids from counters, rows buffered and written with executemany, logged for `undo`
- `events`  `--events FILE`: a restore's real stage history

The file streams through once. A bad row aborts the whole import with `FILE:LINE: …`, or with
`--rejects` is written there and left out. Unknown stages, owners and reasons are collected over the
whole file first, so the error lists every value to map at once. `--dry-run` runs the same import and
rolls it back, so its counts are exact.
"""

from salesflow.app.imports.common import ImportOptions, Tally, Ui, big_file, preview_report
from salesflow.app.imports.deals import import_deals
from salesflow.app.imports.touches import import_touches

__all__ = ["ImportOptions", "Tally", "Ui", "big_file", "import_deals", "import_touches", "preview_report"]
