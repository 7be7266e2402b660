"""``--trace``: a Chrome Trace Event file, for ui.perfetto.dev or chrome://tracing.

The file is the JSON Array Format, one event per line, written to the file
at the end of every wake-up, before the loop waits again: memory stays flat
however long it runs, and a process killed outright loses at most the
wake-up in progress. The closing ``]`` is added when the loop stops, and
the file is closed at the run's end (``finish``); both viewers also load a
file cut short without it.

What it holds (times in µs of CLOCK_MONOTONIC, the clock perf and bpftrace use):
- an ``epoll_pwait`` slice for each wait (its begin and end taken in C), and
  a slice for each signal's dispatch;
- an instant event per tick wake-up and per received signal, with the
  sender's pid and uid;
- counter tracks for the count and for how late each tick woke.

Writing the file never ends the run: the first write, flush or close that
fails (a full disk, an I/O error) is the writer's ``error``, told once to
``on_error``; the writer then closes the file and writes nothing more, and
the loop goes on counting.
"""

from __future__ import annotations

import json
import os

from sigcounter.instruments.observer import Observer
from sigcounter.instruments.outfile import OutputFile, WritesFile
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.signals import signal_name

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any

    from sigcounter.kernel.loopwait import Wake
    from sigcounter.kernel.siginfo import SigInfo


def _us(nanoseconds: int) -> float:
    return nanoseconds / 1000


class TraceWriter(Observer, WritesFile):
    """Streams trace events to ``stream`` (text, opened for writing); an
    OSError from it stops the writing (see ``error``) instead of the loop."""

    def __init__(
        self, stream: IO[str], on_error: Callable[[OSError], None] | None = None,
        on_unused: Callable[[], None] | None = None,
    ) -> None:
        self._file = OutputFile(stream, on_error, on_unused)
        self._pid = os.getpid()  # one thread: its tid is the pid
        self._first = True
        self._dispatched_until = 0  # signals read together are dispatched one after another

    def _write(self, name: str, phase: str, ts_ns: int, **fields: Any) -> None:
        if self.error is not None:
            return
        event = {"name": name, "ph": phase, "ts": _us(ts_ns), "pid": self._pid,
                 "tid": self._pid, **fields}
        try:
            # A buffered stream: its error may surface here, when the buffer fills.
            self._file.stream.write(("[\n" if self._first else ",\n") + json.dumps(event))
        except OSError as exc:
            self._file.fail(exc)
        self._first = False

    def _slice(self, name: str, cat: str, begin_ns: int, end_ns: int, **args: Any) -> None:
        self._write(name, "X", begin_ns, cat=cat, dur=_us(end_ns - begin_ns), args=args)

    def _counter(self, name: str, at_ns: int, value: float) -> None:
        self._write(name, "C", at_ns, args={"value": value})

    def started(self, start_ns: int, interval_ns: int, tick_source: str, count: int) -> None:
        try:
            self._file.truncate()  # the run is on: the file is ours now
        except OSError as exc:
            self._file.fail(exc)
        self._write("process_name", "M", start_ns, args={"name": "sig-counter"})
        self._write("thread_name", "M", start_ns, args={"name": "main (event loop)"})
        self._write("ticks start", "i", start_ns, s="t",
                    args={"interval_ns": interval_ns, "tick_source": tick_source})
        self._counter("count", start_ns, count)
        self.wake_done()

    def woke(self, wake: Wake, count: int) -> None:
        if self.error is not None:
            return
        self._slice("epoll_pwait", "wait", wake.begin_ns, wake.end_ns,
                    ready=wake.watched_ready, eintr=wake.interrupted)
        if wake.ticks:
            self._write("tick", "i", wake.counted_ns, s="t", cat="tick",
                        args={"expirations": wake.ticks, "count": count,
                              "lateness_us": _us(wake.lateness_ns)})
            self._counter("count", wake.counted_ns, count)
            self._counter("tick lateness (µs)", wake.counted_ns, _us(wake.lateness_ns))

    def dispatched(self, info: SigInfo, kind: str, count: int, end_ns: int) -> None:
        if self.error is not None:
            return
        # Signals read in one go share their read time; on one thread their
        # slices follow each other.
        begin_ns = max(info.read_ns, self._dispatched_until)
        self._dispatched_until = end_ns
        name = signal_name(info.signo)
        self._write(name, "i", begin_ns, s="t", cat="signal",
                    args={"sender_pid": info.sender_pid, "sender_uid": info.sender_uid,
                          "code": info.code})
        self._slice(name, "dispatch", begin_ns, end_ns, event=kind, count=count)
        self._counter("count", end_ns, count)

    def wake_done(self) -> None:
        """What the wake-up wrote reaches the file before the loop waits again."""
        if self.error is not None:
            return
        try:
            self._file.stream.flush()
        except OSError as exc:
            self._file.fail(exc)

    def stopped(self, at_ns: int) -> None:
        self._write("stopped", "i", at_ns, s="t")
        if self.error is None:
            try:
                self._file.stream.write("\n]\n")
            except OSError as exc:
                self._file.fail(exc)
        self.wake_done()

    def finish(self) -> bool:
        """Close the stream (a failure to is ``error`` too); again is a no-op."""
        return self._file.close()
