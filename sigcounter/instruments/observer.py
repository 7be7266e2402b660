"""What an instrument is told, from the start of the run to its end.

An ``Instrument`` is told twice by the run: ``start()`` just before the loop
(the set-up before it is not what is measured) and ``finish()`` once the run
is over, when it gives its report (prints its table, writes or closes its
file) and says whether that was lost. An ``Observer`` is an instrument the
loop also tells of every wake-up, in this order::

    started, then per wake-up: woke, dispatched (one per signal), wake_done;
    stopped, when the loop ends

The loop calls these only when an observer is attached; then its wait
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


class Instrument:
    """Does nothing; an instrument overrides what it needs."""

    def start(self) -> None:
        """The run's set-up is done and its loop is about to run."""

    def finish(self) -> bool:
        """The run is over (or was refused before its loop: nothing to report
        then): give the report, close what is open; False when an output asked
        for was lost (the loss said on stderr already). Never raises OSError."""
        return True


class Observer(Instrument):
    """An instrument the loop tells of every wake-up; does nothing until overridden."""

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

    def wake_done(self) -> None:
        """The wake-up is over and the loop is about to wait again (not after
        the wake-up that ends the loop: ``stopped`` follows that one)."""

    def stopped(self, at_ns: int) -> None:
        """The loop ended (shutdown signal, closed output or an error)."""


class Observers(Observer):
    """Several observers told the same things, in order: the loop makes one
    call per event whatever their number."""

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

    def wake_done(self) -> None:
        for observer in self._observers:
            observer.wake_done()

    def stopped(self, at_ns: int) -> None:
        for observer in self._observers:
            observer.stopped(at_ns)
