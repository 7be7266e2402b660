"""The built-in instruments as a library: trace writer, stats, and the loop
telling them about every wake-up of the one loop body."""

from __future__ import annotations

import io
import os
import signal
import time
from typing import Any

import pytest
from support import in_child, poll_until, siginfo
from support.tracecheck import check_trace, load_trace

from sigcounter.actions import DISPLAY, SHUTDOWN, TICK
from sigcounter.events import Event, Tick
from sigcounter.instruments.explain import explain
from sigcounter.instruments.observer import Observer, Observers
from sigcounter.instruments.stats import Stats
from sigcounter.instruments.tracefile import TraceWriter
from sigcounter.kernel.constants import TICK_SOURCES
from sigcounter.kernel.loopwait import Wake
from sigcounter.loop import TickLoop
from sigcounter.signaltable import ACTIONS, ROWS, kill_commands

MS = 1_000_000


class Recorder(Observer):
    """Remembers every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def started(self, *args: Any) -> None:
        self.calls.append(("started", args))

    def woke(self, *args: Any) -> None:
        self.calls.append(("woke", args))

    def dispatched(self, *args: Any) -> None:
        self.calls.append(("dispatched", args))

    def wake_done(self) -> None:
        self.calls.append(("wake_done", ()))

    def stopped(self, *args: Any) -> None:
        self.calls.append(("stopped", args))


Calls = list[tuple[str, tuple[Any, ...]]]


def _observed_run(tick_source: str) -> tuple[Calls, list[Event | Tick], str]:
    """20 ms of 1 ms ticks, one wake-up at a time, then USR1 and TERM."""
    recorder, trace = Recorder(), io.StringIO()
    events: list[Event | Tick] = []

    class SignalAfter20Ticks(Observer):
        def woke(self, wake: Wake, count: int) -> None:
            if count >= 20 and not any(isinstance(e, Event) for e in events):
                os.kill(os.getpid(), signal.SIGUSR1)
                os.kill(os.getpid(), signal.SIGTERM)

    observers = Observers([recorder, TraceWriter(trace), SignalAfter20Ticks()])
    with TickLoop(MS, tick_source=tick_source) as loop:
        loop.run(events.append, observers, emit_ticks=True)
    return recorder.calls, events, trace.getvalue()


@pytest.mark.parametrize("tick_source", TICK_SOURCES)
def test_the_observer_sees_every_wake_of_the_one_loop(tick_source: str) -> None:
    """started, then a woke and a wake_done per wake-up, the two dispatches, stopped:
    every tick reported, times in order, lateness never negative."""
    calls, events, _ = in_child(lambda: _observed_run(tick_source))
    names = [name for name, _ in calls]
    assert names[0] == "started" and names[-3:] == ["dispatched", "dispatched", "stopped"]
    start, interval, source, count = calls[0][1]
    assert (interval, source, count) == (MS, tick_source, 0)
    wakes = [args for name, args in calls if name == "woke"]
    assert names.count("wake_done") == len(wakes) - 1  # the last wake-up ends the loop
    last_end = start
    for wake, _count in wakes:
        assert last_end <= wake.begin_ns <= wake.end_ns
        assert wake.lateness_ns >= 0
        last_end = wake.end_ns
    ticks = sum(wake.ticks for wake, _ in wakes)
    assert ticks == wakes[-1][1] >= 20
    tick_events = [e for e in events if isinstance(e, Tick)]
    assert sum(e.expirations for e in tick_events) == ticks
    assert [e.action.name for e in events if isinstance(e, Event)] == [DISPLAY.name,
                                                                       SHUTDOWN.name]


def test_trace_of_a_real_run_is_well_formed() -> None:
    """The trace file of a run passes the format checks and holds what it promises."""
    _, _, text = in_child(lambda: _observed_run("timerfd"))
    assert text.endswith("\n]\n")
    events = load_trace(text)
    check_trace(events)
    slices = [e["name"] for e in events if e["ph"] == "X"]
    assert slices[-2:] == ["SIGUSR1", "SIGTERM"]
    assert set(slices[:-2]) == {"epoll_pwait"} and len(slices) >= 3
    assert [e["name"] for e in events if e["ph"] == "i" and e.get("cat") == "tick"]
    (sigusr1,) = [e for e in events if e["ph"] == "i" and e["name"] == "SIGUSR1"]
    assert sigusr1["args"]["sender_uid"] == os.getuid()
    counts = [e["args"]["value"] for e in events if e["name"] == "count"]
    assert counts[0] == 0 and counts[-1] >= 20


def test_the_trace_reaches_the_file_at_every_wake() -> None:
    """Each wake-up's events are written before the loop waits again, so a
    kill loses at most the wake-up in progress."""
    stream = io.StringIO()

    class Flushes(io.StringIO):
        def flush(self) -> None:
            stream.write(self.getvalue()[len(stream.getvalue()):])

    writer = TraceWriter(Flushes())
    writer.started(1000, MS, "timerfd", 0)
    writer.woke(Wake(2000, 5000, 1, 40, 5010, 0, 1, 1, 0), 1)
    writer.wake_done()
    check_trace(load_trace(stream.getvalue()))  # cut short, no closing bracket: still loads
    assert '"epoll_pwait"' in stream.getvalue() and '"tick"' in stream.getvalue()


def test_stats_add_up() -> None:
    """Stats count the syscalls the wait made and those others report (the
    writes, kept up to date by their owner), signals by name, and timings."""
    stats = Stats()
    writes = {"write": 0}
    stats.add_call_source(writes)
    stats.started(0, MS, "timerfd", 0)
    for n in range(3):
        stats.woke(Wake(n * MS, (n + 1) * MS, 1, 40_000, (n + 1) * MS, 0, 1, 1, 0), n + 1)
    info = siginfo(signal.SIGUSR1, sender_pid=42, read_ns=3 * MS + 30)
    stats.woke(Wake(3 * MS, 3 * MS + 10, 0, 0, 0, 0, 2, 1, 1), 3)
    stats.dispatched(info, DISPLAY.name, 3, 3 * MS + 9_030)
    writes["write"] += 1
    stats.stopped(4 * MS)
    assert stats.syscalls == {"epoll_pwait": 5, "read": 4, "write": 1}
    assert (stats.ticks, stats.wakeups) == (3, 4)
    report = stats.table()
    assert "  syscalls          epoll_pwait 5, read 4, write 1" in report.splitlines()
    assert "signals           SIGUSR1 1" in report
    assert "tick lateness" in report and "40.0" in report
    assert report.splitlines()[1] == "  run time          0.004 s"


def test_tick_events_have_their_own_record() -> None:
    """A tick is a Tick, not a signal event with zeros: no signal fields at all."""
    tick = Tick(TICK, 5, 2, 300, 1000)
    assert tick.count == 5 and tick.expirations == 2 and not hasattr(tick, "signal")
    assert not hasattr(tick, "__dict__")


def test_the_stats_table_is_right_mid_run() -> None:
    """Before the loop stops, the table's run time runs up to now; once it
    stops, it stays at the stop."""
    stats = Stats()
    started = time.monotonic_ns()
    stats.started(started, MS, "timerfd", 0)
    poll_until(lambda: time.monotonic_ns() - started > 20 * MS, what="20 ms to pass")
    assert 0.020 <= stats.run_time_ns() / 1e9 < 5
    first = stats.table().splitlines()[1]
    # The clock moves on: the line changes within a deadline (on a loaded machine
    # a fixed wait may pass between two readings of the same millisecond).
    poll_until(lambda: stats.table().splitlines()[1] != first, what="the run time to move on")
    stats.stopped(started + 50 * MS)
    assert stats.table().splitlines()[1] == "  run time          0.050 s"


def test_explain_sends_each_action_its_signal() -> None:
    """--explain's signals line is one kill per action of the signal table, for its PID."""
    text = explain(4242, kill_commands(4242))
    line = next(line for line in text.splitlines() if line.lstrip().startswith("signals:"))
    kills = line.split(":", 1)[1].strip().split("   ")
    assert [kill.strip() for kill in kills] == [
        f"kill -{next(row for row in ROWS if row.action is action).name[3:]} 4242"
        for action in ACTIONS]
