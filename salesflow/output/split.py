"""A long csv export on two cores: each process reads and writes half of the rows.

Fetching a million rows into Python and turning them into csv text is the whole cost of an export, and it
divides. When the rows come as `Halves` (app.export: deals split by id) and the output is a real file or
pipe, a forked child opens its own read-only connection, checks that it sees exactly the data this process
is reading (`Stale` otherwise), and writes the second half as csv into an unlinked spill file while this
process writes the first half to the output. Then the spill is copied after it: the bytes are the ones a
single process would have written. If the child cannot (the data changed in between, no room for the spill,
anything), this process writes the second half itself from its own read transaction: slower, never different.

The child leaves with `os._exit` (never touching the parent's connection, never running its finalizers),
ignores Ctrl-C (the parent reports it and kills the child), and stops if the parent is gone.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from salesflow.output.report import Halves

RowWriter = Callable[[IO[str]], Callable[[Iterable[Any]], None]]  # stream -> write(rows)
_CHECK_PARENT_ROWS = 5_000


def write_rows(rows: Iterable[Any], writer_for: RowWriter, stream: IO[str]) -> None:
    """Every row to `stream` through `writer_for(stream)`; halves in two processes where that works."""
    if isinstance(rows, Halves) and _forkable(stream):
        _in_two(rows, writer_for, stream)
    else:
        writer_for(stream)(rows)


def _forkable(stream: IO[str]) -> bool:
    if not hasattr(os, "fork") or sys.platform == "darwin":  # macOS system libraries are not fork-safe
        return False
    try:
        stream.fileno()  # a real file or pipe (not a test runner's buffer)
    except (AttributeError, OSError, ValueError):
        return False
    return hasattr(stream, "buffer")


def _in_two(rows: Halves, writer_for: RowWriter, stream: IO[str]) -> None:
    stream.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    spill = tempfile.TemporaryFile(dir=_spill_dir(stream))  # noqa: SIM115 - closed below, in both processes
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(rows, writer_for, stream, spill, parent)
    helped = False
    try:
        writer_for(stream)(rows.first())
        _, status = os.waitpid(pid, 0)
        pid = 0
        helped = status == 0
        if helped:
            stream.flush()
            spill.seek(0)
            shutil.copyfileobj(spill, stream.buffer, 1 << 20)
            stream.buffer.flush()
    finally:
        if pid:  # this process failed or was interrupted: the child's half is of no use
            _kill(pid)
        spill.close()
    if not helped:
        writer_for(stream)(rows.second())


def _spill_dir(stream: IO[str]) -> str | None:
    """Beside the output file when there is one (-o: same disk), else the temp directory."""
    name = getattr(stream, "name", None)
    if isinstance(name, str) and os.path.isabs(name):
        return str(Path(name).parent)
    return None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _child(rows: Halves, writer_for: RowWriter, stream: IO[str], spill: IO[bytes], parent: int) -> None:
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        import io

        text = io.TextIOWrapper(spill, encoding=stream.encoding, errors=stream.errors, newline="",
                                write_through=False)
        writer_for(text)(_while_parent_lives(rows.second_elsewhere(), parent))
        text.flush()
        code = 0
    except BaseException:  # noqa: BLE001, S110 - Stale, a full disk, anything: the parent does this half itself
        pass
    finally:
        os._exit(code)


def _while_parent_lives(rows: Iterable[Any], parent: int) -> Iterator[Any]:
    it = iter(rows)
    while chunk := list(islice(it, _CHECK_PARENT_ROWS)):
        if os.getppid() != parent:  # the parent died (`| head` closed its output, a kill): stop
            raise SystemExit(1)
        yield from chunk
