"""Observer: what an instrument (stats, trace file) is told by the loop.

The loop calls these only when an instrument is attached; then its wait
returns after every wake-up, so the observer sees each one, with the wait's
begin and end taken in C. Times are CLOCK_MONOTONIC nanoseconds, the clock
perf, bpftrace and the timerfd use. Everything they are told is a plain
value or a kernel-layer record (``Wake``, ``SigInfo``): nothing of the
program's own, so an instrument never depends on how the program is built.
"""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sigcounter.kernel.loopwait import Wake
    from sigcounter.kernel.siginfo import SigInfo


class Observer:
    """Does nothing; instruments override what they need."""

    def started(self, start_ns: int, interval_ns: int, tick_source: str, count: int) -> None:
        """Ticks are due every ``interval_ns`` from ``start_ns``, counted by
        ``tick_source`` ("timerfd", or "timeout": no timer, no read per tick),
        onto ``count``."""

    def woke(self, wake: Wake, count: int) -> None:
        """One wake-up: its wait, the ticks it counted and the system calls
        the wait made; ``count`` is the count after them."""

    def dispatched(self, info: SigInfo, kind: str, count: int, end_ns: int) -> None:
        """One signal handled (read at ``info.read_ns``), its action ``kind``
        done and its line emitted by ``end_ns``; ``count`` is the count after it."""

    def flush(self) -> None:
        """The wake-up is over and the loop is about to wait again."""

    def stopped(self, at_ns: int) -> None:
        """The loop ended (shutdown signal, closed output or an error)."""


class Observers(Observer):
    """Several observers told the same things, in order."""

    def __init__(self, observers: Sequence[Observer]) -> None:
        self._observers = tuple(observers)

    def started(self, start_ns: int, interval_ns: int, tick_source: str, count: int) -> None:
        for observer in self._observers:
            observer.started(start_ns, interval_ns, tick_source, count)

    def woke(self, wake: Wake, count: int) -> None:
        for observer in self._observers:
            observer.woke(wake, count)

    def dispatched(self, info: SigInfo, kind: str, count: int, end_ns: int) -> None:
        for observer in self._observers:
            observer.dispatched(info, kind, count, end_ns)

    def flush(self) -> None:
        for observer in self._observers:
            observer.flush()

    def stopped(self, at_ns: int) -> None:
        for observer in self._observers:
            observer.stopped(at_ns)
