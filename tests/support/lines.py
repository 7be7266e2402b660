"""Lines read with a deadline: from a pipe, by a thread that stamps each line
with the moment it came; or from an fd directly, byte by byte."""

from __future__ import annotations

import os
import queue
import select
import time
from typing import IO


class NoLine(AssertionError):
    """The line waited for did not come: none in time, or the stream ``ended``; for
    the ready line, also another line in its place (kept in ``instead``)."""

    def __init__(self, message: str, *, ended: bool = False, instead: str | None = None) -> None:
        super().__init__(message)
        self.ended, self.instead = ended, instead


class _Line(bytes):
    """One line as read, newline included, and when it was read (``read_ns``, monotonic).
    Handed out as plain bytes: mypy takes ``b"x" in`` a bytes subclass for a
    search among ints."""

    read_ns: int = 0


Lines = queue.Queue[bytes | None]  # None: the stream ended


def pump(stream: IO[bytes], lines: Lines) -> None:
    """Every line of ``stream`` into ``lines``, stamped as it is read; then None."""
    for raw in iter(stream.readline, b""):
        read_ns = time.monotonic_ns()
        line = _Line(raw)
        line.read_ns = read_ns
        lines.put(line)
    lines.put(None)


def next_line(lines: Lines, timeout: float, what: str) -> _Line:
    """The next line ``pump`` put in ``lines`` (``what`` names the stream), or NoLine."""
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise NoLine(f"no {what} line within {timeout}s") from None
    if line is None:
        lines.put(None)  # the end stays visible to the next read
        raise NoLine(f"{what} closed while a line was expected", ended=True)
    return line  # type: ignore[return-value]  # only pump fills the queue


def read_line(fd: int, timeout: float) -> bytes:
    """One line read from ``fd`` (a pipe's or a terminal's other end) byte by byte,
    so nothing after it is taken; NoLine if it is not whole by the deadline."""
    data, deadline = b"", time.monotonic() + timeout
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise NoLine(f"no whole line on fd {fd} within {timeout}s; got {data!r}")
        chunk = os.read(fd, 1)
        if not chunk:
            raise NoLine(f"fd {fd} ended; got {data!r}", ended=True)
        data += chunk
    return data
