"""Observer: what an instrument (stats, trace file) is told by the loop.

The loop calls these only when an instrument is attached; with none, it runs
a path with no observer calls at all. Times are CLOCK_MONOTONIC nanoseconds,
the clock perf, bpftrace and the timerfd use.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence

    from sigcounter.events import Event
    from sigcounter.signalfd import SigInfo


class Observer:
    """Does nothing; instruments override what they need."""

    def started(self, armed_ns: int, interval_ns: int, tick_source: str) -> None:
        """Ticks are scheduled every ``interval_ns`` from ``armed_ns``, by
        ``tick_source`` ("timerfd", or "timeout": no timer, no read per tick)."""

    def waited(self, begin_ns: int, end_ns: int, ready: int, interrupted: int) -> None:
        """One wait: ``ready`` fds came back; ``interrupted`` EINTR retries inside it."""

    def ticked(
        self, begin_ns: int, end_ns: int, expirations: int, count: int, lateness_ns: int,
        emitted: bool,
    ) -> None:
        """The timer was drained: one read, ``expirations`` added.

        ``lateness_ns`` is how long after the latest scheduled expiration the
        loop woke; ``emitted`` says a tick event was written.
        """

    def signals_read(self, at_ns: int, records: int) -> None:
        """One read of the signalfd returned ``records`` signals."""

    def dispatched(self, begin_ns: int, end_ns: int, info: SigInfo, event: Event) -> None:
        """One signal handled and its event emitted."""

    def stopped(self, at_ns: int) -> None:
        """The loop ended (shutdown signal, closed output or an error)."""


class Observers(Observer):
    """Several observers told the same things, in order."""

    def __init__(self, observers: Sequence[Observer]) -> None:
        self._observers = tuple(observers)

    def started(self, armed_ns: int, interval_ns: int, tick_source: str) -> None:
        for observer in self._observers:
            observer.started(armed_ns, interval_ns, tick_source)

    def waited(self, begin_ns: int, end_ns: int, ready: int, interrupted: int) -> None:
        for observer in self._observers:
            observer.waited(begin_ns, end_ns, ready, interrupted)

    def ticked(
        self, begin_ns: int, end_ns: int, expirations: int, count: int, lateness_ns: int,
        emitted: bool,
    ) -> None:
        for observer in self._observers:
            observer.ticked(begin_ns, end_ns, expirations, count, lateness_ns, emitted)

    def signals_read(self, at_ns: int, records: int) -> None:
        for observer in self._observers:
            observer.signals_read(at_ns, records)

    def dispatched(self, begin_ns: int, end_ns: int, info: SigInfo, event: Event) -> None:
        for observer in self._observers:
            observer.dispatched(begin_ns, end_ns, info, event)

    def stopped(self, at_ns: int) -> None:
        for observer in self._observers:
            observer.stopped(at_ns)
