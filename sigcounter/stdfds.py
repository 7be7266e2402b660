"""The standard descriptors: made safe before anything is opened, and ``say``
and ``write_all``, the ways the program writes a message, which no text can
make fail.

A shell or a service manager may start a program with fd 0, 1 or 2 closed.
The next fd the program opens then takes that number: a signalfd at fd 1
would be "stdout", and the count would be written into it. So before any
other descriptor exists: a closed stdin or stderr is opened on /dev/null
(nothing to read; messages go nowhere, as the parent chose), and a closed
stdout, where the program's whole output goes, is an error.

The handled signals are blocked for the whole run, so a message must never
wait for a stderr nobody reads (a full pipe shared with stdout by ``2>&1``, a
terminal on Ctrl-S): once the fds are safe, stderr is written through a
non-blocking description of its own (a route of ``kernel.sink``), and a
message that finds no room is lost rather than waited for.
"""

from __future__ import annotations

import os
import time

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.shown import encoded

if TYPE_CHECKING:
    from sigcounter.kernel.sink import Sink

_stderr: Sink | None = None  # stderr's own non-blocking description, once the fds are safe


def say(message: str, fd: int = 2) -> None:
    """One line on stderr (or ``fd``), one ``write``; never raises and never
    waits: with stderr gone or full there is nowhere left to report to. A
    message holding bytes that are not UTF-8 (a path) is written, not raised
    on: ``shown.encoded``."""
    data = encoded(f"{message}\n")
    try:  # by hand: contextlib would cost an import at start-up
        if fd == 2 and _stderr is not None:
            _stderr.write(data)
        else:
            os.write(fd, data)
    except OSError:
        pass


class ClosedStdout(Exception):
    """fd 1 is not open; the message is one line."""


def secure_standard_fds() -> None:
    """Fill a closed fd 0 or 2 with /dev/null; ClosedStdout if fd 1 is closed.

    Runs before anything else is opened, so each /dev/null lands on the
    lowest free number, the very one that was closed. Then stderr gets its
    non-blocking description."""
    global _stderr
    for fd in (0, 1, 2):
        if _is_open(fd):
            continue
        if fd == 1:
            raise ClosedStdout("stdout is closed: there is nowhere to write the count")
        placeholder = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if placeholder != fd:  # something else was open below it after all
            os.dup2(placeholder, fd)
            os.close(placeholder)
    from sigcounter.kernel.sink import open_sink

    _stderr = open_sink(2)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def write_all(fd: int, text: str, wait_s: float = 1.0) -> str | None:
    """``text`` written whole to ``fd``: None, or the error's words if it could
    not be. On stderr's own description, in whole lines as its route allows
    (so a reader sharing it with another writer gets no torn line), and a
    full stderr is waited for up to ``wait_s`` (the --stats table at the end
    of a run), then given up on."""
    try:
        if fd != 2 or _stderr is None:
            data = memoryview(encoded(text))
            while data:
                data = data[os.write(fd, data):]
            return None
        return _write_lines(_stderr, text, time.monotonic_ns() + int(wait_s * 1e9))
    except OSError as exc:
        return exc.strerror or str(exc)


def _write_lines(sink: Sink, text: str, deadline_ns: int) -> str | None:
    from sigcounter.linequeue import LineQueue

    queue = LineQueue()
    for line in text.splitlines(keepends=True):
        queue.push(encoded(line), keep=True)
    while not queue.write_out(sink.write, sink.batch_bytes, sink.lines_per_write):
        if not sink.wait_writable(deadline_ns):
            return "no room on stderr"
    return None
