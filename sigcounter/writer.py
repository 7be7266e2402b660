"""LineWriter: the program's lines out to stdout, without ever blocking the loop.

The handled signals stay blocked for the whole run, so a ``write(2)`` that
blocks (a reader that stopped reading a full pipe, a terminal on Ctrl-S)
would make SIGTERM and Ctrl-C useless. Lines that cannot be written at once
wait in a bounded queue, in order, and go out when stdout becomes writable,
which the loop watches in its one epoll set, only while the queue is not
empty, so an idle tick costs what it did. Past the bound, new lines are
dropped and counted, never silently.

Non-blocking writes without touching anyone else's view of stdout: setting
O_NONBLOCK on fd 1 would change the one open file description that the
shell and any sibling process share with us. So:
- a pipe, FIFO or terminal is opened again through /proc/self/fd/1, which
  gives a description of our own to set O_NONBLOCK on;
- a socket cannot be opened that way; ``send(MSG_DONTWAIT)`` is non-blocking
  for that one call;
- a regular file or /dev/null does not block: plain ``write``.
Where none of these works (no /proc, or a pty's master side, which would
open a new pty), lines are written blocking, as before.

A reader that goes away (EPOLLERR on a pipe, a socket's peer hanging up)
ends the run with BrokenPipeError. A terminal that hangs up sends SIGHUP,
which ends the run cleanly; until it arrives, lines are discarded.
"""

from __future__ import annotations

import errno
import os
import stat
import time

from sigcounter.kernel.constants import NS_PER_S
from sigcounter.kernel.epoll import EPOLLERR, EPOLLHUP, EPOLLOUT, Epoll
from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from sigcounter.loop import TickLoop

    Sender = Callable[[int, bytes], int]  # (fd, data) -> bytes written

QUEUE_LIMIT = 1 << 20  # bytes of lines waiting; past it new lines are dropped


class OutputError(Exception):
    """stdout failed for good (other than a reader going away); one line."""


class LineWriter:
    """Writes whole lines to ``fd`` and queues what cannot be written yet."""

    def __init__(self, fd: int = 1, *, limit: int = QUEUE_LIMIT) -> None:
        self.fd = fd
        self.limit = limit
        self.dropped = 0  # lines dropped since the last report
        self.dropped_total = 0
        self._pending = bytearray()
        self._loop: TickLoop | None = None
        self._source = 0
        self._watch = 0  # the events the loop watches for now (0: not registered)
        tty_name = _tty_name(fd)
        self._fd, self._send, self.watchable, self._close = _nonblocking_route(fd, tty_name)
        self._tty = self.watchable and tty_name != ""
        # The system calls made to write, by name, for --stats.
        self.calls = {"sendto" if self._send is not os.write else "write": 0}
        self._call_name = next(iter(self.calls))
        # Told how many lines were dropped, once the queue has drained again.
        self.on_resumed: Callable[[int], None] | None = None

    @property
    def pending_lines(self) -> int:
        return self._pending.count(b"\n")

    def attach(self, loop: TickLoop) -> None:
        """Watch stdout in ``loop``'s epoll set: for its reader going away (a
        pipe or socket) and, while lines wait, for room to write them."""
        self._loop = loop
        if self.watchable:
            self._watch = EPOLLERR
            self._source = loop.watch(self._fd, EPOLLERR, self._on_ready)

    def write(self, data: bytes) -> None:
        """Write ``data`` (whole lines) now, or queue it behind what waits."""
        if not data:
            return
        if self._pending and self._loop is None:
            self.flush()  # no loop to say when stdout has room: try now
        if self._pending:
            self._enqueue(data)
            return
        written = self._try_write(data)
        if written < len(data):
            self._queue_rest(data[written:])

    def emitter(self, formatter: Callable[[Any], str]) -> Callable[[Any], None]:
        """The loop's ``emit``: format an event and write its line, in one
        call on the common path (nothing queued, the whole line taken)."""
        fd, write = self._fd, self.write

        def emit(event: Any) -> None:
            data = formatter(event).encode()
            if self._pending or not data:
                write(data)
                return
            self.calls[self._call_name] += 1
            try:
                written = self._send(fd, data)
            except OSError as exc:
                written = self._failed(exc, len(data))
            if written < len(data):
                self._queue_rest(data[written:])

        return emit

    def _queue_rest(self, rest: bytes) -> None:
        self._pending += rest  # the rest of a started line: never dropped
        self._watch_writable(True)

    def _enqueue(self, data: bytes) -> None:
        if len(self._pending) + len(data) > self.limit:
            self.dropped += data.count(b"\n")
            self.dropped_total += data.count(b"\n")
            return
        self._pending += data

    def flush(self) -> bool:
        """Write what waits, as far as stdout takes it; True when all is out."""
        while self._pending:
            written = self._try_write(bytes(self._pending))
            if written == 0:
                return False
            del self._pending[:written]
        self._watch_writable(False)
        if self.dropped and self.on_resumed is not None:
            dropped, self.dropped = self.dropped, 0
            self.on_resumed(dropped)
        return True

    def drain(self, timeout_ns: int) -> int:
        """At shutdown: wait up to ``timeout_ns`` for the queue to go out;
        return how many lines were not delivered (dropped ones included)."""
        if self._pending and self.watchable:
            deadline = time.monotonic_ns() + timeout_ns
            with Epoll() as epoll:
                epoll.register(self._fd, EPOLLOUT)
                while not self.flush() and (left := deadline - time.monotonic_ns()) > 0:
                    epoll.wait(left / NS_PER_S)
        return self.pending_lines + self.dropped_total

    def _on_ready(self, events: int) -> None:
        if events & (EPOLLERR | EPOLLHUP):
            if self._tty:  # the terminal hung up: its SIGHUP is on the way
                self._hung_up()
                return
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))  # the reader went away
        self.flush()

    def _hung_up(self) -> None:
        """The terminal went away. Its SIGHUP ends the run the usual way; until
        then lines have nowhere to go, and stop being watched for."""
        if self._loop is not None and self._watch:
            self._loop.unwatch(self._fd, self._source)
        self._pending.clear()
        self._send, self.watchable, self._watch = _discard, False, 0

    def _try_write(self, data: bytes) -> int:
        self.calls[self._call_name] += 1
        try:
            return self._send(self._fd, data)
        except OSError as exc:
            return self._failed(exc, len(data))

    def _failed(self, exc: OSError, size: int) -> int:
        """0 bytes written if stdout is only full; otherwise the error, for good
        (a hung-up terminal's EIO is its hang-up, seen before its SIGHUP)."""
        if isinstance(exc, BlockingIOError):
            return 0
        if isinstance(exc, BrokenPipeError):
            raise exc
        if self._tty and exc.errno == errno.EIO:
            self._hung_up()
            return size  # gone with the terminal
        raise OutputError(f"cannot write to stdout: {exc.strerror}") from None

    def _watch_writable(self, wanted: bool) -> None:
        events = EPOLLERR | (EPOLLOUT if wanted else 0)
        if self._loop is None or not self.watchable or events == self._watch:
            return
        self._loop.rewatch(self._fd, self._source, events)
        self._watch = events

    def close(self) -> None:
        """Close what the writer opened of its own (never ``fd`` itself)."""
        if self._close is not None:
            self._close()
            self._close = None
        self._fd = self.fd


def _nonblocking_route(
    fd: int, tty_name: str,
) -> tuple[int, Sender, bool, Callable[[], None] | None]:
    """(fd to write to, how to write, whether epoll can watch it, how to close
    what was opened) for ``fd``, a terminal named ``tty_name`` ("" if not)."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return fd, os.write, False, None
    if stat.S_ISSOCK(mode):
        return _dontwait_route(fd)
    # A pty's master side is a terminal too, but opening its name (/dev/ptmx)
    # would make a new pty: it, /dev/null and the like are written as they are.
    if stat.S_ISFIFO(mode) or (stat.S_ISCHR(mode) and tty_name not in ("", "/dev/ptmx")):
        try:
            own = os.open(f"/proc/self/fd/{fd}",
                          os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
        except OSError:
            return fd, os.write, False, None
        return own, os.write, True, lambda: os.close(own)
    return fd, os.write, False, None


def _tty_name(fd: int) -> str:
    try:
        return os.ttyname(fd)
    except OSError:  # not a terminal
        return ""


def _dontwait_route(fd: int) -> tuple[int, Sender, bool, Callable[[], None]]:
    import socket  # only when stdout is a socket: it pulls in enum

    own = socket.socket(fileno=os.dup(fd))  # a second fd, same socket, for send()

    def send(_fd: int, data: bytes) -> int:
        return own.send(data, socket.MSG_DONTWAIT)

    return fd, send, True, own.close


def _discard(_fd: int, data: bytes) -> int:
    return len(data)
