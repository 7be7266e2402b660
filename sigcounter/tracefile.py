"""``--trace``: a Chrome Trace Event file, for ui.perfetto.dev or chrome://tracing.

The file is the JSON Array Format, written as the program runs, one event per
line, so memory stays flat however long it runs. The closing ``]`` is added
at shutdown; both viewers also load a file cut short without it.

What it holds (times in µs of CLOCK_MONOTONIC, the clock perf and bpftrace use):
- an ``epoll_pwait`` slice for each wait, and a slice for each dispatch
  (``tick``, or the signal's name);
- an instant event per received signal, with the sender's pid and uid;
- counter tracks for the count and for how late each tick woke.
"""

from __future__ import annotations

import json
import os

from sigcounter.observer import Observer
from sigcounter.signals import signal_name

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import IO, Any

    from sigcounter.events import Event
    from sigcounter.signalfd import SigInfo


def _us(nanoseconds: int) -> float:
    return nanoseconds / 1000


class TraceWriter(Observer):
    """Streams trace events to ``stream`` (text, opened for writing)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._pid = os.getpid()  # one thread: its tid is the pid
        self._first = True

    def _write(self, name: str, phase: str, ts_ns: int, **fields: Any) -> None:
        event = {"name": name, "ph": phase, "ts": _us(ts_ns), "pid": self._pid,
                 "tid": self._pid, **fields}
        self._stream.write(("[\n" if self._first else ",\n") + json.dumps(event))
        self._first = False

    def _slice(self, name: str, cat: str, begin_ns: int, end_ns: int, **args: Any) -> None:
        self._write(name, "X", begin_ns, cat=cat, dur=_us(end_ns - begin_ns), args=args)

    def _counter(self, name: str, at_ns: int, value: float) -> None:
        self._write(name, "C", at_ns, args={"value": value})

    def started(self, armed_ns: int, interval_ns: int, tick_source: str) -> None:
        self._write("process_name", "M", armed_ns, args={"name": "sig-counter"})
        self._write("thread_name", "M", armed_ns, args={"name": "main (event loop)"})
        self._write("ticks start", "i", armed_ns, s="t",
                    args={"interval_ns": interval_ns, "tick_source": tick_source})
        self._counter("count", armed_ns, 0)

    def waited(self, begin_ns: int, end_ns: int, ready: int, interrupted: int) -> None:
        self._slice("epoll_pwait", "wait", begin_ns, end_ns, ready=ready, eintr=interrupted)

    def ticked(
        self, begin_ns: int, end_ns: int, expirations: int, count: int, lateness_ns: int,
        emitted: bool,
    ) -> None:
        self._slice("tick", "dispatch", begin_ns, end_ns, expirations=expirations,
                    count=count, lateness_us=_us(lateness_ns))
        self._counter("count", end_ns, count)
        self._counter("tick lateness (µs)", end_ns, _us(lateness_ns))

    def dispatched(self, begin_ns: int, end_ns: int, info: SigInfo, event: Event) -> None:
        name = signal_name(info.signo)
        self._write(name, "i", begin_ns, s="t", cat="signal",
                    args={"sender_pid": info.sender_pid, "sender_uid": info.sender_uid})
        self._slice(name, "dispatch", begin_ns, end_ns, event=event.kind, count=event.count)
        self._counter("count", end_ns, event.count)

    def stopped(self, at_ns: int) -> None:
        self._write("stopped", "i", at_ns, s="t")
        self._stream.write("\n]\n")
        self._stream.flush()
