"""TickLoop as a library, in a child process: order of dispatch and exit."""

from __future__ import annotations

import os
import signal
import time

import pytest
from conftest import in_child

from sigcounter.events import DISPLAY, RESET, SHUTDOWN, Event
from sigcounter.loop import TickLoop

MS = 1_000_000


def _run_with_pending(signals: list[int], stall: float = 0.0) -> list[Event]:
    """Open a 1 ms loop, let it stall, queue ``signals``, run to shutdown."""
    events: list[Event] = []
    with TickLoop(MS) as loop:
        time.sleep(stall)  # ticks pile up in the timerfd while nobody reads it
        for signum in signals:
            os.kill(os.getpid(), signum)
        final = loop.run(events.append)
    assert final is events[-1]
    return events


def test_timer_is_drained_before_signals_are_handled() -> None:
    """Ticks that expired before a wake-up are counted before its signals."""
    events = in_child(lambda: _run_with_pending([signal.SIGUSR1, signal.SIGTERM], 0.05))
    assert [e.kind for e in events] == [DISPLAY, SHUTDOWN]
    assert events[0].count >= 50


def test_reset_zeroes_the_count_and_shutdown_ends_the_loop() -> None:
    """USR1, USR2 and TERM dispatch to display, reset and shutdown, in that order."""
    events = in_child(
        lambda: _run_with_pending([signal.SIGTERM, signal.SIGUSR2, signal.SIGUSR1], 0.02)
    )
    assert [e.kind for e in events] == [DISPLAY, RESET, SHUTDOWN]
    assert events[0].count >= 20
    assert events[1].count == 0
    assert events[2].signo == signal.SIGTERM


def test_pending_signals_are_taken_lowest_number_first() -> None:
    """Kernel order, not send order: a pending SIGINT (2) ends the loop before USR1 (10)."""
    events = in_child(lambda: _run_with_pending([signal.SIGUSR1, signal.SIGINT]))
    assert [(e.kind, e.signo) for e in events] == [(SHUTDOWN, signal.SIGINT)]


def test_events_carry_the_sender() -> None:
    """Each event names the sending process and user."""
    def sender() -> tuple[int, list[Event]]:
        return os.getpid(), _run_with_pending([signal.SIGTERM])

    pid, events = in_child(sender)
    assert [(e.sender_pid, e.sender_uid) for e in events] == [(pid, os.getuid())]


def _closed_output() -> str:
    read_end, write_end = os.pipe()
    with TickLoop(MS, watch_output=write_end) as loop:
        os.close(read_end)
        try:
            loop.run(lambda event: None)
        except BrokenPipeError as exc:
            return exc.strerror or ""
    return "loop returned"


def test_a_watched_output_closing_ends_the_loop_with_epipe() -> None:
    """When the reader of the output goes away, run() raises BrokenPipeError."""
    assert in_child(_closed_output) == os.strerror(32)


def test_run_needs_open() -> None:
    """run() on an unopened loop is a clear RuntimeError."""
    with pytest.raises(RuntimeError, match="open"):
        TickLoop(MS).run(lambda event: None)


def test_interval_must_be_positive() -> None:
    """A zero period would be a disarmed timer, so it is refused."""
    with pytest.raises(ValueError):
        TickLoop(0)
