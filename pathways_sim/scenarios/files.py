"""Opening the files a user names — a scenario, a file it ``extends``, a targets table — safely.

Any text may arrive as a path (from a command line, or an ``extends:`` line), so the name is checked before
it reaches the operating system (no NUL byte, no unencodable character, no absurd length), the file is
opened without blocking and refused unless it is a regular file (a FIFO or a device would wait for input
forever), and at most ``limit`` bytes are read.  Every failure is an ``UnsafeFile`` whose message says what
is wrong; nothing here raises anything else.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from pathways_sim.scenarios.errors import shorten

MAX_PATH_CHARS = 4096  # PATH_MAX on Linux
MAX_NAME_CHARS = 255  # NAME_MAX: one component of a path
SCENARIO_MAX_BYTES = 1_000_000  # shipped scenarios are ~2 kB; anything near this is not a scenario


class UnsafeFile(Exception):
    """A path that cannot be used, or a file that cannot be read; ``line``/``column`` locate a decoding
    error inside the file (else ``None``)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def path_problem(text: str) -> str | None:
    """Why ``text`` cannot be a file path, or ``None`` if it can be tried."""
    if not text.strip():
        return "is empty"
    if "\0" in text:
        return "contains a NUL byte"
    if len(text) > MAX_PATH_CHARS:
        return f"is {len(text)} characters long; a path has at most {MAX_PATH_CHARS}"
    if any(len(part) > MAX_NAME_CHARS for part in text.replace("\\", "/").split("/")):
        return f"has a part longer than {MAX_NAME_CHARS} characters"
    unusable = _unusable_characters(text)
    if unusable is not None:
        return f"contains characters that cannot be a file name here ({unusable})"
    return None


def _unusable_characters(text: str) -> str | None:
    """Which kind of character in ``text`` cannot be part of a file name here, or ``None``."""
    try:
        os.fsencode(text)
    except UnicodeError:
        return "they cannot be encoded"
    if any(not c.isprintable() for c in text):
        return "control characters or lone surrogates"
    return None


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` names a regular file (following symbolic links); ``False`` on any error, including
    a loop of symbolic links."""
    return not_a_file(path) is None


def not_a_file(path: Path) -> str | None:
    """Why ``path`` is not a regular file one can open ("file not found", "is not a regular file (a FIFO)",
    ...), or ``None`` if it is one."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "file not found"
    except OSError as err:
        return _os_reason(err)
    except ValueError as err:
        return f"the path cannot be used: {err}"
    return None if stat.S_ISREG(mode) else f"is not a regular file ({_kind(mode)})"


def read_text(path: Path, limit: int = SCENARIO_MAX_BYTES, what: str = "file") -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes; ``UnsafeFile`` otherwise."""
    reason = path_problem(str(path))
    if reason:
        raise UnsafeFile(f"the path {reason} (got {shorten(str(path))})")
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnsafeFile("file not found") from None
    except OSError as err:
        raise UnsafeFile(_os_reason(err)) from None
    except ValueError as err:
        raise UnsafeFile(f"the path cannot be used: {err}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafeFile(f"is not a regular file ({_kind(mode)}); give the path of a {what}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise UnsafeFile(_os_reason(err)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnsafeFile(f"is larger than {limit:,} bytes; a {what} is far smaller")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise UnsafeFile(f"is not UTF-8 text (byte {data[err.start]:#04x})", line, column) from None


def _os_reason(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "cannot be opened: symbolic links loop"
    if err.errno == errno.EISDIR:
        return "is a directory, not a file"
    return f"cannot be read: {err.strerror or err}"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"
