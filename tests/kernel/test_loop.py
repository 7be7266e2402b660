"""TickLoop as a library, in a child process: order of dispatch and exit, on
every configuration of the one loop (both tick sources; no instrument, an
observer, tick events)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest
from support import in_child

from sigcounter.actions import DISPLAY, RESET, SHUTDOWN, TICK
from sigcounter.events import Event, Tick
from sigcounter.instruments.observer import Observer
from sigcounter.kernel.constants import TICK_SOURCES
from sigcounter.kernel.epoll import EPOLLIN
from sigcounter.kernel.siginfo import SigInfo
from sigcounter.loop import TickLoop
from sigcounter.writer import StdoutWriter

MS = 1_000_000
INSTRUMENTS = ("none", "observer", "tick events")
CONFIGURATIONS = [(source, instrument) for source in TICK_SOURCES for instrument in INSTRUMENTS]


def _run_with_pending(
    signals: list[int], stall: float, tick_source: str, instrument: str,
) -> list[Event]:
    """Open a 1 ms loop, let it stall, queue ``signals``, run to shutdown;
    return the signal events (tick events checked and left out)."""
    events: list[Event | Tick] = []
    with TickLoop(MS, tick_source=tick_source) as loop:
        start_ns = loop.state.reset_ns  # the start of the ticks, until a reset
        time.sleep(stall)  # ticks fall due while nobody waits
        for signum in signals:
            os.kill(os.getpid(), signum)
        observer = Observer() if instrument == "observer" else None
        final = loop.run(events.append, observer, emit_ticks=instrument == "tick events")
    assert final is events[-1]
    ticks = [e for e in events if isinstance(e, Tick)]
    assert all(t.action is TICK and t.expirations > 0 and t.lateness_ns >= 0 for t in ticks)
    # A tick's due time is on the schedule's grid, exactly: time minus lateness.
    assert all((t.time_ns - t.lateness_ns - start_ns) % MS == 0 for t in ticks)
    return [e for e in events if isinstance(e, Event)]


def _in_every_configuration(test: Callable[..., None]) -> Callable[..., None]:
    every: Callable[..., None] = pytest.mark.parametrize(
        ("tick_source", "instrument"), CONFIGURATIONS)(test)
    return every


@_in_every_configuration
def test_ticks_are_counted_before_the_signals_of_the_same_wake(
    tick_source: str, instrument: str,
) -> None:
    """Ticks that fell due before a wake-up are counted before its signals."""
    events = in_child(lambda: _run_with_pending(
        [signal.SIGUSR1, signal.SIGTERM], 0.05, tick_source, instrument))
    assert [e.action.name for e in events] == [DISPLAY.name, SHUTDOWN.name]
    assert events[0].count >= 49  # the timeout source counts whole elapsed periods


@_in_every_configuration
def test_reset_and_shutdown_in_one_wake(tick_source: str, instrument: str) -> None:
    """USR1, USR2 and TERM pending together: display, reset, shutdown, in that order."""
    events = in_child(lambda: _run_with_pending(
        [signal.SIGTERM, signal.SIGUSR2, signal.SIGUSR1], 0.02, tick_source, instrument))
    assert [e.action.name for e in events] == [DISPLAY.name, RESET.name, SHUTDOWN.name]
    assert events[0].count >= 19
    assert events[1].count == events[2].count == 0
    assert events[2].signal.signo == signal.SIGTERM


@_in_every_configuration
def test_pending_signals_are_taken_lowest_number_first(
    tick_source: str, instrument: str,
) -> None:
    """Kernel order, not send order: a pending SIGINT (2) ends the loop before USR1 (10)."""
    events = in_child(lambda: _run_with_pending(
        [signal.SIGUSR1, signal.SIGINT], 0.0, tick_source, instrument))
    assert [(e.action.name, e.signal.signo) for e in events] == [(SHUTDOWN.name, signal.SIGINT)]


@_in_every_configuration
def test_events_carry_the_sender(tick_source: str, instrument: str) -> None:
    """Each event names the sending process and user."""
    def sender() -> tuple[int, list[Event]]:
        return os.getpid(), _run_with_pending([signal.SIGTERM], 0.0, tick_source, instrument)

    pid, events = in_child(sender)
    assert [(e.signal.sender_pid, e.signal.sender_uid) for e in events] == [(pid, os.getuid())]


def _ticks_across_a_stall(tick_source: str, instrument: str) -> tuple[int, int]:
    """Count while the loop is busy elsewhere: no tick may be lost."""
    events: list[Event | Tick] = []
    with TickLoop(2 * MS, tick_source=tick_source) as loop:
        start_ns = loop.state.reset_ns
        time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGUSR1)
        os.kill(os.getpid(), signal.SIGTERM)
        observer = Observer() if instrument == "observer" else None
        loop.run(events.append, observer, emit_ticks=instrument == "tick events")
        due = (time.monotonic_ns() - start_ns) // (2 * MS)
    shown = next(e.count for e in events if isinstance(e, Event))
    return shown, due


@_in_every_configuration
def test_ticks_missed_while_stalled_are_all_counted(tick_source: str, instrument: str) -> None:
    """A 100 ms stall at 2 ms: the count shown is every tick due by then."""
    shown, due = in_child(lambda: _ticks_across_a_stall(tick_source, instrument))
    assert 50 <= shown <= due


def _closed_output(instrument: str) -> str:
    read_end, write_end = os.pipe()
    writer = StdoutWriter(write_end)
    with TickLoop(MS) as loop:
        writer.attach(loop)  # watches the pipe in the loop's epoll set
        os.close(read_end)
        try:
            observer = Observer() if instrument == "observer" else None
            loop.run(lambda event: None, observer, emit_ticks=instrument == "tick events")
        except BrokenPipeError as exc:
            return exc.strerror or ""
    return "loop returned"


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_a_watched_output_closing_ends_the_loop_with_epipe(instrument: str) -> None:
    """When the reader of the writer's pipe goes away, run() raises BrokenPipeError
    at once, with nothing written."""
    assert in_child(lambda: _closed_output(instrument)) == os.strerror(32)


def test_run_needs_open() -> None:
    """run() on an unopened loop is a clear RuntimeError."""
    with pytest.raises(RuntimeError, match="open"):
        TickLoop(MS).run(lambda event: None)


def _refused_at_open(interval_ns: int, tick_source: str) -> tuple[str, bool]:
    loop = TickLoop(interval_ns, tick_source=tick_source)
    try:
        loop.open()
    except ValueError as exc:
        return str(exc), loop._signals is None
    loop.close()
    return "opened", True


def test_interval_and_tick_source_are_checked_at_open() -> None:
    """A zero period (a disarmed timer) or an unknown tick source is refused by
    open(), which leaves no signalfd behind."""
    assert in_child(lambda: _refused_at_open(0, "timerfd")) == (
        "interval must be a positive int of ns, got 0", True)
    message, closed = in_child(lambda: _refused_at_open(MS, "sleep"))
    assert "tick_source" in message and closed


def _handler_fails_with_signals_read(last: int) -> tuple[list[str], str]:
    """A watched fd whose handler raises, ready in the same wake-up as
    SIGUSR1, SIGUSR2 and ``last``: what was emitted, and what run() raised."""
    emitted: list[str] = []
    read_end, write_end = os.pipe()
    with TickLoop(1000 * MS) as loop:
        def broken(events: int) -> None:
            raise RuntimeError("the watched fd's handler failed")

        loop.watch(read_end, EPOLLIN, broken)
        os.write(write_end, b"x")
        for signum in (signal.SIGUSR1, signal.SIGUSR2, last):
            os.kill(os.getpid(), signum)
        try:
            loop.run(lambda event: emitted.append(event.action.name))
        except RuntimeError as exc:
            return emitted, str(exc)
    return emitted, "nothing raised"


@pytest.mark.parametrize("last", [signal.SIGUSR1, signal.SIGTERM], ids=["none", "SIGTERM"])
def test_a_failing_handler_loses_no_signal_read_with_it(last: int) -> None:
    """The signals read in the wake-up where a watched fd's handler raised are
    handled, a shutdown among them too, before run() raises what the handler did."""
    emitted, raised = in_child(lambda: _handler_fails_with_signals_read(last))
    ending = [SHUTDOWN.name] if last == signal.SIGTERM else []
    assert emitted == [DISPLAY.name, RESET.name, *ending]
    assert raised == "the watched fd's handler failed"


def _watched_fd_handled_before_signals() -> list[str]:
    seen: list[str] = []
    read_end, write_end = os.pipe()
    with TickLoop(1000 * MS) as loop:
        def on_readable(events: int) -> None:
            seen.append(f"watched {events & EPOLLIN}")
            os.read(read_end, 1)

        loop.watch(read_end, EPOLLIN, on_readable)
        os.write(write_end, b"x")
        os.kill(os.getpid(), signal.SIGTERM)
        loop.run(lambda event: seen.append(event.action.name))
    return seen


def test_a_watched_fd_runs_its_handler_before_the_signals() -> None:
    """A fd watched by the loop is handled in the same wake-up, before its signals."""
    assert in_child(_watched_fd_handled_before_signals) == [f"watched {EPOLLIN}", SHUTDOWN.name]


def _plain_lines(tick_source: str, instrument: str) -> tuple[list[bytes], list[str], list[int]]:
    """USR1, USR2 and TERM pending together, run with ``write_line``: the lines
    it got, the events emit got, and the counts an observer was told of."""
    written: list[bytes] = []
    emitted: list[str] = []
    told: list[int] = []

    class Counting(Observer):
        def dispatched(self, info: SigInfo, kind: str, count: int, end_ns: int) -> None:
            told.append(count)

    with TickLoop(MS, tick_source=tick_source) as loop:
        time.sleep(0.02)
        for signum in (signal.SIGTERM, signal.SIGUSR2, signal.SIGUSR1):
            os.kill(os.getpid(), signum)
        observer = Counting() if instrument == "observer" else None
        final = loop.run(lambda event: emitted.append(event.action.name), observer,
                         emit_ticks=instrument == "tick events", write_line=written.append)
    assert final.action is SHUTDOWN
    return written, [name for name in emitted if name != TICK.name], told


@_in_every_configuration
def test_with_write_line_the_loop_writes_the_plain_lines_itself(
    tick_source: str, instrument: str,
) -> None:
    """With ``write_line``, USR1 and USR2 are answered with their exact bytes
    and no Event; only the run's last signal reaches emit, and an observer is
    told every signal with its count."""
    written, emitted, told = in_child(lambda: _plain_lines(tick_source, instrument))
    assert written[1:] == [b"Resetting ticker count to zero\n"]
    count = int(written[0].removeprefix(b"Ticker count: ").removesuffix(b"\n"))
    assert written[0] == f"Ticker count: {count}\n".encode() and count >= 19
    assert emitted == [SHUTDOWN.name]
    if instrument == "observer":
        assert told == [count, 0, 0]
