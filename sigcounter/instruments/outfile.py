"""An instrument's output file (``--trace``, ``--cpuprofile``), opened so that
the open cannot wait for another process.

The program opens these files with the handled signals blocked, before the
loop that reads them exists: a call that waits here leaves SIGTERM and
Ctrl-C pending for as long as it waits. ``open(2)`` of a FIFO for writing
waits for a reader, and a terminal or serial line may wait for its carrier,
unless the open is ``O_NONBLOCK``. So the file is opened ``O_NONBLOCK``, and
``fstat`` then says what it is:

- a regular file is taken (``O_NONBLOCK`` means nothing to it);
- a character device is taken and stays ``O_NONBLOCK``: ``/dev/null`` and
  ``/dev/full`` never wait anyway, and one that would (a terminal whose
  output is stopped, nobody reading a pty) fails with EAGAIN instead, which
  turns that instrument off rather than stalling the loop;
- anything else (a FIFO or a socket, whose reader could stall the run; a
  directory; a block device) is refused with ``NotAFile``.

What ``O_NONBLOCK`` cannot help with is a file system that does not answer:
``open``, ``write`` and ``close`` on a hard-mounted NFS whose server is gone
wait in the kernel until it comes back, and only SIGKILL ends them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any

_OPEN = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
    (stat.S_ISBLK, "a block device"), (stat.S_ISCHR, "a character device"),
)


class NotAFile(ValueError):
    """The path names something an instrument does not write to; the message
    says what it is."""


def kind(mode: int) -> str:
    """What a ``st_mode`` is, in words: "a FIFO", "a directory", ..."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a regular file" if stat.S_ISREG(mode) else "not a file"


def open_output(path: str) -> tuple[int, bool]:
    """``path`` opened for writing (created if need be) without waiting: the fd
    of a regular file or a character device, and whether this open created
    the file. OSError if the open fails, NotAFile for anything else. Not
    truncated yet: an instance that stops before its run (its pidfile held by
    another) must not empty the other's files; ``OutputFile.truncate`` does
    it at the first write, and a file created for a run that never started
    is removed again (``sigcounter.outputs``)."""
    try:
        return _open(path, _OPEN | os.O_EXCL), True
    except FileExistsError:
        return _open(path, _OPEN), False


def _open(path: str, flags: int) -> int:
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        # ENXIO: a FIFO with no reader, or a socket; say which, not the errno.
        if exc.errno == errno.ENXIO and (mode := _mode(path)) is not None:
            raise NotAFile(f"{kind(mode)}, not a regular file") from None
        raise
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode)):
        os.close(fd)
        raise NotAFile(f"{kind(mode)}, not a regular file")
    return fd


class OutputFile:
    """An instrument's open file, and the first failure to write it.

    Writing it never raises into the run: the first OSError is kept as
    ``error`` and told once to ``on_error``, and the file is closed then (the
    repeat of that error for the data still buffered is the same failure).
    A file the run never claimed (it was refused before its loop) is handed
    to ``on_unused`` when closed: the start may have created it for nothing."""

    def __init__(
        self, stream: IO[Any], on_error: Callable[[OSError], None] | None,
        on_unused: Callable[[], None] | None = None,
    ) -> None:
        self.stream = stream
        self.error: OSError | None = None
        self.claimed = False  # the run is on and has begun to write the file
        self._on_error = on_error
        self._on_unused = on_unused

    def fail(self, exc: OSError) -> None:
        if self.error is not None:
            return
        self.error = exc
        with contextlib.suppress(OSError):
            self.stream.close()
        if self._on_error is not None:
            self._on_error(exc)

    def close(self) -> bool:
        """Close the file (a failure to is ``error`` too; again is a no-op) and
        hand an unclaimed one to ``on_unused``; False if anything was lost."""
        if self.error is None and not self.stream.closed:
            try:
                self.stream.close()
            except OSError as exc:
                self.fail(exc)
        if not self.claimed and self._on_unused is not None:
            self._on_unused()
            self._on_unused = None
        return self.error is None

    def truncate(self) -> None:
        """Empty the file before its first write (a device has nothing to
        empty: left as it is). Raises OSError, for the caller to ``fail``."""
        self.claimed = True
        try:
            fd = self.stream.fileno()
        except OSError:  # io.UnsupportedOperation: a stream in memory, no file to empty
            return
        if stat.S_ISREG(os.fstat(fd).st_mode):
            self.stream.truncate(0)


def _mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


class WritesFile:
    """What an instrument that writes an ``OutputFile`` (``_file``) tells of it."""

    _file: OutputFile

    @property
    def error(self) -> OSError | None:
        """Why the file was not written whole, if it was not."""
        return self._file.error

    @property
    def claimed(self) -> bool:
        """Whether the run began to write the file (a refused run never does)."""
        return self._file.claimed
