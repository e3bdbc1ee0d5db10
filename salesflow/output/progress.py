"""A progress bar on stderr for long work (an import), drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(label: str, wanted: bool) -> Iterator[Callable[[float], None]]:
    """Yields `update(fraction)`; a no-op unless `wanted` and stderr is a terminal. Transient: it leaves no trace."""
    if not (wanted and sys.stderr.isatty()):
        yield lambda fraction: None
        return
    from rich.console import Console
    from rich.progress import Progress

    # drawn on each update, with no refresh thread: an import forks a reading process, and a process
    # should not fork while another thread may hold a lock
    with Progress(transient=True, console=Console(stderr=True), auto_refresh=False) as bar:
        task = bar.add_task(label, total=1.0)
        yield lambda fraction: bar.update(task, completed=fraction, refresh=True)
