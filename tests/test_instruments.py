"""The built-in instruments as a library: trace writer, stats, observed loop."""

from __future__ import annotations

import io
import os
import signal
import time
from typing import Any

from conftest import in_child
from tracecheck import check_trace, load_trace

from sigcounter.events import DISPLAY, SHUTDOWN, TICK, Event
from sigcounter.loop import TickLoop
from sigcounter.observer import Observer, Observers
from sigcounter.signalfd import SigInfo
from sigcounter.stats import Stats
from sigcounter.tracefile import TraceWriter

MS = 1_000_000


class Recorder(Observer):
    """Remembers every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def started(self, *args: Any) -> None:
        self.calls.append(("started", args))

    def waited(self, *args: Any) -> None:
        self.calls.append(("waited", args))

    def ticked(self, *args: Any) -> None:
        self.calls.append(("ticked", args))

    def signals_read(self, *args: Any) -> None:
        self.calls.append(("signals_read", args))

    def dispatched(self, *args: Any) -> None:
        self.calls.append(("dispatched", args))

    def stopped(self, *args: Any) -> None:
        self.calls.append(("stopped", args))


def _observed_run() -> tuple[list[tuple[str, tuple[Any, ...]]], list[Event], str]:
    recorder, trace = Recorder(), io.StringIO()
    events: list[Event] = []
    with TickLoop(MS) as loop:
        time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGUSR1)
        os.kill(os.getpid(), signal.SIGTERM)
        loop.run(events.append, Observers([recorder, TraceWriter(trace)]), emit_ticks=True)
    return recorder.calls, events, trace.getvalue()


def test_observed_loop_reports_every_step_in_order() -> None:
    """started, waited, ticked, signals_read, dispatched x2, stopped: times in order."""
    calls, events, _ = in_child(_observed_run)
    names = [name for name, _ in calls]
    assert names == [
        "started", "waited", "ticked", "signals_read", "dispatched", "dispatched", "stopped",
    ]
    armed, interval, source = calls[0][1]
    assert (interval, source) == (MS, "timerfd")
    begin, woke, ready, interrupted = calls[1][1]
    assert armed <= begin <= woke and (ready, interrupted) == (2, 0)
    _, _, expirations, count, lateness, emitted = calls[2][1]
    assert expirations == count and count >= 20
    assert lateness >= 0 and emitted is True
    assert [e.kind for e in events] == [TICK, DISPLAY, SHUTDOWN]
    assert events[0].expirations == expirations


def test_trace_of_a_real_run_is_well_formed() -> None:
    """The trace file of a run passes the format checks and holds what it promises."""
    _, _, text = in_child(_observed_run)
    assert text.endswith("\n]\n")
    events = load_trace(text)
    check_trace(events)
    names = [e["name"] for e in events if e["ph"] == "X"]
    assert names == ["epoll_pwait", "tick", "SIGUSR1", "SIGTERM"]
    (sigusr1,) = [e for e in events if e["ph"] == "i" and e["name"] == "SIGUSR1"]
    assert sigusr1["args"]["sender_uid"] == os.getuid()
    counts = [e["args"]["value"] for e in events if e["name"] == "count"]
    assert counts[0] == 0 and counts[-1] >= 20


def test_a_trace_cut_short_still_loads() -> None:
    """Without its closing bracket (a killed run), the file still parses."""
    stream = io.StringIO()
    writer = TraceWriter(stream)
    writer.started(1000, MS, "timerfd")
    writer.waited(2000, 5000, 1, 0)
    check_trace(load_trace(stream.getvalue()))


def test_stats_add_up() -> None:
    """Stats count syscalls per kind of step, signals by name, and timings."""
    stats = Stats()
    stats.started(0, MS, "timerfd")
    for n in range(3):
        stats.waited(n * MS, (n + 1) * MS, 1, 0)
        stats.ticked((n + 1) * MS, (n + 1) * MS + 5_000, 1, n + 1, 40_000, False)
    info = SigInfo(signal.SIGUSR1, *([0] * 15))
    stats.waited(3 * MS, 3 * MS + 10, 1, 1)
    stats.signals_read(3 * MS + 20, 1)
    stats.dispatched(3 * MS + 30, 3 * MS + 9_030, info, Event(DISPLAY, 3, 10, 0, 0, 0, 0))
    stats.stopped(4 * MS)
    assert stats.syscalls == {"epoll_pwait": 5, "read": 4, "write": 1}
    assert (stats.ticks, stats.wakeups) == (3, 4)
    report = stats.report()
    assert "  syscalls          epoll_pwait 5, read 4, write 1" in report.splitlines()
    assert "signals           SIGUSR1 1" in report
    assert "tick lateness" in report and "40.0" in report
    assert report.splitlines()[1] == "  run time          0.004 s"
