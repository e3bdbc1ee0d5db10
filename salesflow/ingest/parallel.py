"""Reading and checking a big file on the second core while the first one writes to SQLite.

An import is two halves of about equal cost: turning cells into checked values (pure Python: parsing,
dates, amounts, lookups) and writing the rows (SQLite). `prepared` runs the first half in a forked child
process that streams its results back through a pipe in batches, so the parent only writes. The child
gets everything it needs by fork (the open file, the lookups, the options), never touches the database
connection, and exits with `os._exit` (no finalizers: the parent's connection is not closed twice).

Row-level failures are the `prepare` function's business: it returns them as values. Only a fatal error
of the file itself (bad encoding, broken quoting) ends the stream; it is raised in the parent as the same
salesflow error. If the parent stops early (an error, Ctrl-C, a kill), the child is killed or dies on its
next write to the closed pipe; it never writes anything else.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

from salesflow.domain import errors
from salesflow.ingest.files import Table

BATCH_ROWS = 1_000
PIPE_BYTES = 1 << 20
Batch = list[tuple[int, "list[str] | None", Any]]  # (line, cells or None, what prepare returned)


def can_fork() -> bool:
    """Linux and the BSDs; not macOS (system libraries are not fork-safe there) and not Windows."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def prepared(table: Table, prepare: Callable[[list[str]], Any], *, fork: bool, keep_cells: bool,
             state: Callable[[], Any] = lambda: None, absorb: Callable[[Any], None] = lambda s: None,
             ) -> Iterator[tuple[Batch, float]]:
    """`prepare(cells)` for every data row, in batches with the fraction of the file read so far.

    `keep_cells`: send each row's cells along (for a rejects file); otherwise the child sends None for
    them, and `prepare`'s result must carry all the parent needs. With `fork`, `state()` is taken in the child
    at the end (e.g. its warning counts) and handed to `absorb` in the parent.
    """
    if not fork:
        yield from _here(table, prepare)
        return
    yield from _in_child(table, prepare, keep_cells, state, absorb)


def _here(table: Table, prepare: Callable[[list[str]], Any]) -> Iterator[tuple[Batch, float]]:
    batch: Batch = []
    for line, cells in table.rows:
        batch.append((line, cells, prepare(cells)))
        if len(batch) >= BATCH_ROWS:
            yield batch, table.progress()
            batch = []
    yield batch, 1.0


def _in_child(table: Table, prepare, keep_cells: bool, state, absorb) -> Iterator[tuple[Batch, float]]:
    read_end, write_end = os.pipe()
    try:  # Linux: a 1 MiB pipe lets the child run a few batches ahead (the default 64 KiB holds less than one)
        import fcntl

        fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(table, prepare, keep_cells, state, write_end)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb", buffering=1 << 20) as inp:
            while True:
                try:
                    kind, *rest = pickle.load(inp)
                except EOFError:
                    raise RuntimeError("the import's reading process ended without finishing") from None
                if kind == "rows":
                    yield rest[0], rest[1]
                elif kind == "end":
                    absorb(rest[0])
                    return
                elif kind == "fatal":
                    name, message, hint, details = rest
                    cls = getattr(errors, name, errors.BadInput)
                    raise cls(message, hint=hint, details=details)
                else:
                    raise RuntimeError(f"the import's reading process failed: {rest[0]}")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)  # done or not, it has nothing more to say
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _child(table: Table, prepare, keep_cells: bool, state, write_end: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with os.fdopen(write_end, "wb", buffering=1 << 20) as out:
            send = lambda message: out.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: E731
            try:
                batch: Batch = []
                for line, cells in table.rows:
                    result = prepare(cells)
                    batch.append((line, cells if keep_cells else None, result))
                    if len(batch) >= BATCH_ROWS:
                        send(("rows", batch, table.progress()))
                        batch = []
                send(("rows", batch, 1.0))
                send(("end", state()))
            except errors.SalesflowError as exc:
                send(("fatal", type(exc).__name__, exc.message, exc.hint, exc.details))
            except Exception as exc:  # noqa: BLE001 - reported by the parent as an internal error
                send(("crash", f"{type(exc).__name__}: {exc}"))
    except BaseException:  # noqa: BLE001 - a closed pipe (the parent is gone) or a signal: just go
        code = 1
    finally:
        os._exit(code)
