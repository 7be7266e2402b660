"""Observer: what an instrument (stats, trace file) is told by the loop.

The loop calls these only when an instrument is attached; then its wait
returns after every wake-up, so the observer sees each one, with the wait's
begin and end taken in C. Times are CLOCK_MONOTONIC nanoseconds, the clock
perf, bpftrace and the timerfd use.
"""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sigcounter.events import Event
    from sigcounter.kernel.loopwait import SignalRecord, Wake


class Observer:
    """Does nothing; instruments override what they need."""

    def started(self, start_ns: int, interval_ns: int, tick_source: str) -> None:
        """Ticks are due every ``interval_ns`` from ``start_ns``, counted by
        ``tick_source`` ("timerfd", or "timeout": no timer, no read per tick)."""

    def woke(self, wake: Wake, count: int, tick_emitted: bool) -> None:
        """One wake-up: its wait, the ticks it counted (``count`` is the total
        after them) and the system calls it made; ``tick_emitted``: a tick
        event was written."""

    def dispatched(self, begin_ns: int, end_ns: int, event: Event, record: SignalRecord) -> None:
        """One signal handled and its event emitted."""

    def flush(self) -> None:
        """The wake-up is over and the loop is about to wait again."""

    def stopped(self, at_ns: int) -> None:
        """The loop ended (shutdown signal, closed output or an error)."""


class Observers(Observer):
    """Several observers told the same things, in order."""

    def __init__(self, observers: Sequence[Observer]) -> None:
        self._observers = tuple(observers)

    def started(self, start_ns: int, interval_ns: int, tick_source: str) -> None:
        for observer in self._observers:
            observer.started(start_ns, interval_ns, tick_source)

    def woke(self, wake: Wake, count: int, tick_emitted: bool) -> None:
        for observer in self._observers:
            observer.woke(wake, count, tick_emitted)

    def dispatched(self, begin_ns: int, end_ns: int, event: Event, record: SignalRecord) -> None:
        for observer in self._observers:
            observer.dispatched(begin_ns, end_ns, event, record)

    def flush(self) -> None:
        for observer in self._observers:
            observer.flush()

    def stopped(self, at_ns: int) -> None:
        for observer in self._observers:
            observer.stopped(at_ns)
