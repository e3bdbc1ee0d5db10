"""Where `-o FILE` and `--rejects FILE` output goes, safely: the one place that opens an output file.

A regular file is written atomically (a temp file beside it, fsync, rename; owner-only; through a
symlink, the file it names). A FIFO, a character device, a socket, or anything under /dev or /proc
(`/dev/stdout`, `/dev/null`, a named pipe) is written *into*, streaming: renaming over it would replace
the pipe — or, as root, the device entry itself — with a file. An SQLite database (the one in use, reached by a
symlink, a relative path or SALESFLOW_DB, or any other) and its -wal/-shm/-journal files are never
replaced; nor is a file the command reads (`protect`). Every OS failure — a directory, a missing
directory, no permission, a full disk — becomes one line naming the path and the OS's reason.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from salesflow.domain.errors import BadInput, Refused
from salesflow.domain.text import quoted
from salesflow.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


def check_target(path: Path, *, protect: tuple[Path, ...] = ()) -> bool:
    """Refuse a target that must not be written; True when it is a stream (FIFO, device) to write into."""
    text = str(path)
    if not text.strip() or text == ".":
        raise BadInput(_("the output file name is empty"), hint=_("name a file, e.g. -o deals.csv"))
    shown = quoted(text)
    for name in (text, os.path.realpath(path)):  # the name given, and the file a symlink leads to
        side = next((s for s in _SIDE_FILES if name.endswith(s)), None)
        if side and is_sqlite(Path(name[: -len(side)])):  # whether or not SQLite has it open right now
            raise Refused(_("refusing to write over {shown}: it belongs to the SQLite database beside it").format(shown=shown),
                          hint=_("-o replaces its target; choose another file name"))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise BadInput(_("cannot write {shown}: directory {quoted} does not exist").format(shown=shown, quoted=quoted(str(parent))),
                           hint=_("create the directory first, or choose another path")) from None
        return False
    except OSError as exc:
        raise BadInput(_("cannot write {shown}: {strerror}").format(shown=shown, strerror=exc.strerror)) from None
    if stat.S_ISDIR(st.st_mode):
        raise BadInput(_("cannot write {shown}: it is a directory").format(shown=shown), hint=_("name a file inside it, e.g. -o DIR/deals.csv"))
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISSOCK(st.st_mode) \
            or _is_special(path):
        return True
    for other in protect:
        try:
            same = os.path.samefile(path, other)
        except OSError:
            same = False
        if same:
            raise Refused(_("refusing to write over {shown}: it is the file this command reads").format(shown=shown),
                          hint=_("choose another file name for the output"))
    if is_sqlite(path):
        raise Refused(_("refusing to write over {shown}: it is an SQLite database").format(shown=shown),
                      hint=_("-o replaces its target; choose another file name"))
    return False


def _is_special(path: Path) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N: whatever they point at (a file the shell redirected, a pipe),
    they name an open descriptor, to be written into; renaming over them would replace the device entry."""
    for name in (os.path.abspath(path), os.path.realpath(path)):
        if name.startswith(("/dev/", "/proc/")):
            return True
    return False


@contextmanager
def output_file(path: Path, newline: str | None = "", *, protect: tuple[Path, ...] = ()) -> Iterator[IO[str]]:
    """A text handle for `path`: atomic for a regular file, streaming for a pipe or device."""
    path = Path(path)
    streaming = check_target(path, protect=protect)
    shown = quoted(str(path))
    if streaming:
        try:
            with open(path, "a", encoding="utf-8", newline=newline) as handle:  # never truncate what it names
                yield handle
        except OSError as exc:
            raise BadInput(_("cannot write {shown}: {strerror}").format(shown=shown, strerror=exc.strerror)) from None
        return
    import tempfile  # only when writing a file (-o): not on every command's start

    path = Path(os.path.realpath(path))  # through a symlink: replace the file it names, keep the link
    directory = path.parent
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline, buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise BadInput(_("cannot write {shown}: {value}").format(shown=shown, value=exc.strerror or exc)) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
