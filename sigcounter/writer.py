"""StdoutWriter: the program's lines out to stdout, never blocking the loop.

The handled signals stay blocked for the whole run, so a ``write(2)`` that
blocks (a reader that stopped reading a full pipe, a terminal on Ctrl-S)
would make SIGTERM and Ctrl-C useless. Three parts, each with one job:

- a route of ``kernel.sink`` writes to fd 1 without blocking and without
  touching the description the shell shares with us, and says how many
  whole lines a write may carry (up to PIPE_BUF bytes on a pipe, one line a
  datagram), so that no reader ever sees a torn or merged line;
- ``linequeue.LineQueue`` holds the lines stdout did not take yet, one by
  one, in order, and drops (and counts) new ones past its bound;
- this module is stdout's policy: write now or queue; watch stdout in the
  loop's epoll set (for its reader going away, and, only while lines wait,
  for room), so an idle tick costs what it did; say once on stderr how many
  lines were dropped; and at shutdown, deliver the drop count and then the
  shutdown line, which is never dropped, last.

A reader that goes away (EPOLLERR on a pipe, a socket's peer hanging up)
ends the run with BrokenPipeError. A terminal that hangs up usually sends
SIGHUP too, which ends the run cleanly; the shutdown line it cannot show is
no loss. When no SIGHUP comes (the run was disowned, or started with
setsid, so that terminal is not its controlling one), the run goes on and
every line from then on is lost: each counts as dropped, the first is said
on stderr, and the run ends with status 1.
"""

from __future__ import annotations

import errno
import os
import time

from sigcounter.events import Event
from sigcounter.kernel.epoll import EPOLLERR, EPOLLHUP, EPOLLOUT
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.sink import open_sink
from sigcounter.linequeue import QUEUE_LIMIT, LineQueue
from sigcounter.options import PROG
from sigcounter.signaltable import BY_SIGNO

if TYPE_CHECKING:
    from collections.abc import Callable

    from sigcounter.events import Tick
    from sigcounter.loop import TickLoop

    Warn = Callable[[str], None]

__all__ = ["QUEUE_LIMIT", "OutputError", "StdoutWriter"]


class OutputError(Exception):
    """stdout failed for good (other than a reader going away); one line."""


def _ignore(message: str) -> None:
    pass


class StdoutWriter:
    """Whole lines to ``fd``: written now, or queued while it is full."""

    def __init__(
        self, fd: int = 1, *, limit: int = QUEUE_LIMIT, warn: Warn = _ignore,
        dropped_event: Callable[[int], str] | None = None, count_calls: bool = False,
    ) -> None:
        self.sink = open_sink(fd)
        self.queue = LineQueue(limit)
        # The writes really made, for --stats; complete only with ``count_calls``:
        # otherwise the common write (``line_writer``) skips the count, about
        # 600 of a SIGUSR1's instructions (docs/performance.md).
        self.calls = self.sink.calls
        self._count_calls = count_calls
        self.lost = 0  # lines lost to a terminal that hung up
        self._warn = warn
        self._dropped_event = dropped_event  # the --json event for a drop count
        self._loop: TickLoop | None = None
        self._tag = 0
        self._watch = 0  # the events the loop watches for now (0: not watched)
        self._hung_up = False
        # A SIGHUP ends the run: what the gone terminal cannot show is no loss.
        self._ending_by_hangup = False
        self._lost_at_hangup = 0  # the lines that were waiting when it hung up
        self._said_lost = False  # the first line lost after the hang-up was said
        if self.sink.fallback:
            warn(f"{PROG}: {self.output} cannot be opened again without blocking "
                 f"({self.sink.fallback}); a reader that stalls will hold the run")

    @property
    def output(self) -> str:
        """What messages call the output: ``stdout (a pipe)``."""
        return self.sink.describe("stdout")

    @property
    def dropped_total(self) -> int:
        """Lines that never reached stdout: dropped by the queue or lost to a hang-up."""
        return self.queue.dropped_total + self.lost

    def attach(self, loop: TickLoop) -> None:
        """Watch stdout in ``loop``'s epoll set: for its reader going away (a
        pipe, socket or terminal) and, while lines wait, for room to write."""
        self._loop = loop
        if self.sink.watchable:
            self._watch = EPOLLERR
            self._tag = loop.watch(self.sink.write_fd, EPOLLERR, self._on_ready)

    def line_writer(self) -> Callable[[bytes], None]:
        """Write one whole line that is not the run's last: now, or queued
        behind what waits (``put``). The loop calls it for the lines it
        builds itself (``output.line_templates``), with no Event.

        The common case (nothing queued, the whole line taken) is written
        out here, one call to the sink's own write: each Python frame
        between the wake-up and the write shows in a SIGUSR1's latency."""
        put, pending, sink = self.put, self.queue.waiting, self.sink
        send, fd, calls, syscall = sink.send, sink.write_fd, sink.calls, sink.syscall
        counting = self._count_calls

        def write_line(data: bytes) -> None:
            if pending or self._hung_up:  # the bytes themselves: no call to ask
                put(data)
                return
            if counting:
                calls[syscall] += 1
            try:
                written = send(fd, data)
            except OSError as exc:
                written = self._write_failed(exc, data)
            if written < len(data):
                self._queue_rest(data, written)

        return write_line

    def emitter(self, formatter: Callable[[Event | Tick], str]) -> Callable[[Event | Tick], None]:
        """The loop's ``emit``: format an event and write its line (the run's
        last one with ``write_last``)."""
        write_line = self.line_writer()

        def emit(event: Event | Tick) -> None:
            data = formatter(event).encode()
            if event.action.ends_run and isinstance(event, Event):
                self.write_last(data, by_hangup=_is_hangup(event))
            elif data:
                write_line(data)

        return emit

    def write_last(self, data: bytes, *, by_hangup: bool = False) -> None:
        """The run's last line (the shutdown line): never dropped, and after the
        count of lines dropped before it. ``by_hangup``: the run ends with a
        SIGHUP, the terminal's hang-up reaching us, so what stdout's terminal
        cannot show any more (this line, lines it left waiting) is no loss,
        unless lines were lost while the run went on after it hung up."""
        if by_hangup:
            self._ending_by_hangup = True
            if not self._said_lost:
                self.lost -= self._lost_at_hangup
                self._lost_at_hangup = 0
        if self._hung_up:
            self._lose(1)
            return
        if self.queue.dropped:
            self._report_dropped()
        self.put(data, keep=True)

    def put(self, line: bytes, *, keep: bool = False) -> None:
        """Write one whole ``line`` now, or queue it behind what waits;
        ``keep``: never drop it (see LineQueue)."""
        if self._hung_up:
            self._lose(1)
            return
        if self.queue and self._loop is None:
            self.flush()  # no loop to say when stdout has room: try now
        if self.queue:
            self.queue.push(line, keep=keep)
            return
        written = self._try_write(line)
        if written < len(line):
            self._queue_rest(line, written, keep=keep)

    def _queue_rest(self, line: bytes, written: int, *, keep: bool = False) -> None:
        """``line`` went out only up to ``written`` bytes: the rest waits first.
        A line begun is never dropped; one not begun goes by the bound."""
        if written:
            self.queue.push(line[written:], keep=True)
        else:
            self.queue.push(line, keep=keep)
        self._watch_writable(True)

    def flush(self) -> bool:
        """Write what waits, as far as stdout takes it, in whole lines as the
        route allows; True when all is out."""
        sink = self.sink
        if not self.queue.write_out(self._write_queued, sink.batch_bytes, sink.lines_per_write):
            return False
        self._watch_writable(False)
        if self.queue.dropped:
            self._report_dropped()
        return True

    def drain(self, timeout_ns: int) -> int:
        """At shutdown: wait up to ``timeout_ns`` for the queue to go out;
        return how many lines were not delivered (dropped and lost ones included)."""
        if self.queue and self.sink.watchable:
            deadline_ns = time.monotonic_ns() + timeout_ns
            while not self.flush() and self.sink.wait_writable(deadline_ns):
                pass
        return self.queue.lines + self.dropped_total

    def _report_dropped(self) -> None:
        """Say how many lines were dropped (stderr, and the JSON event with
        --json, queued like a line but never dropped), once."""
        dropped = self.queue.take_dropped()
        self._warn(f"{PROG}: stdout was stalled; {dropped} lines were dropped")
        if self._dropped_event is not None:
            self.put(self._dropped_event(dropped).encode(), keep=True)

    def _on_ready(self, events: int) -> None:
        if events & (EPOLLERR | EPOLLHUP):
            if self.sink.terminal:
                self._hang_up()
                return
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))  # the reader went away
        self.flush()

    def _try_write(self, data: bytes, *, queued: bool = False) -> int:
        """Bytes written (0: stdout is full; see ``_write_failed``). ``queued``:
        ``data`` is the queue's own, which a hang-up counts by itself."""
        try:
            return self.sink.write(data)
        except OSError as exc:
            return self._write_failed(exc, data, queued=queued)

    def _write_queued(self, data: bytes) -> int:
        return self._try_write(data, queued=True)

    def _write_failed(self, exc: OSError, data: bytes, *, queued: bool = False) -> int:
        """What a failed write means: 0 bytes written if stdout is only full;
        for a terminal's EIO (its hang-up, seen before any SIGHUP), all of
        them, gone with it; anything else ends the run."""
        if isinstance(exc, BlockingIOError):
            return 0
        if isinstance(exc, BrokenPipeError):
            raise exc
        if not (self.sink.terminal and exc.errno == errno.EIO):
            raise OutputError(f"cannot write to {self.output}: {exc.strerror}") from None
        self._hang_up()
        if not queued:
            self._lose(1)
        return len(data)

    def _hang_up(self) -> None:
        """stdout's terminal went away: lines have nowhere to go any more."""
        if self._hung_up:
            return
        self._hung_up = True
        if self._loop is not None and self._watch:
            self._loop.unwatch(self.sink.write_fd, self._tag)
        self._watch = 0
        waiting = self.queue.clear()
        if not self._ending_by_hangup:  # said only if the run goes on without its SIGHUP
            self.lost += waiting
            self._lost_at_hangup = waiting

    def _lose(self, lines: int) -> None:
        """``lines`` had nowhere to go: stdout's terminal is gone."""
        if not lines or self._ending_by_hangup:
            return
        if not self._said_lost:
            self._said_lost = True
            self._warn(f"{PROG}: stdout's terminal hung up and no SIGHUP came; "
                       "its lines are dropped from now on")
        self.lost += lines

    def _watch_writable(self, wanted: bool) -> None:
        events = EPOLLERR | (EPOLLOUT if wanted else 0)
        if self._loop is None or not self._watch or events == self._watch:
            return
        self._loop.rewatch(self.sink.write_fd, self._tag, events)
        self._watch = events

    def close(self) -> None:
        """Close what the writer opened of its own (never ``fd`` itself)."""
        self.sink.close()


def _is_hangup(event: Event) -> bool:
    """A terminal's hang-up (the signal table's SIGHUP), as it reached us: from
    the kernel, or resent by the shell, as bash does to its jobs."""
    row = BY_SIGNO.get(event.signal.signo)
    return row is not None and row.hangup
