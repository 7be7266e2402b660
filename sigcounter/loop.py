"""The one event loop: wait, count the ticks, handle the signals in order, repeat.

One thread, one blocking call (``LoopWait``: ``epoll_pwait`` in C, which
counts the ticks and reads the signals itself). Each wake-up first adds the
ticks, so a signal handled in the same wake-up sees every tick that came
before it, then handles the signals one by one in the order the signalfd
returned them. For standard signals pending together that is lowest number
first (SIGINT 2, SIGUSR1 10, SIGUSR2 12, SIGTERM 15), whatever order they
were sent in. A shutdown signal ends the loop right after its event.

There is one loop body. The instruments (an ``Observer``, tick events) hang
off it: with one attached the wait returns after every wake-up instead of
only when a signal needs Python, and the same body reports each one.
"""

from __future__ import annotations

import time

from sigcounter.counter import Counter
from sigcounter.events import DISPLAY, RESET, SHUTDOWN, TICK, Event, Tick
from sigcounter.kernel.constants import TICK_SOURCES, TIMERFD
from sigcounter.kernel.lean import TYPE_CHECKING, new_tuple
from sigcounter.kernel.loopwait import LoopWait
from sigcounter.kernel.probes import EMIT_KINDS, EMIT_TICK, emit_enabled, fire_emit
from sigcounter.kernel.signalfd import SignalFD
from sigcounter.kernel.signals import SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType
    from typing import Self

    from sigcounter.instruments.observer import Observer
    from sigcounter.kernel.fd import HasFileno

    Emit = Callable[[Event | Tick], None]
    Handler = Callable[[int], None]

# SIGHUP (the terminal went away) ends the run as cleanly as SIGTERM: the
# instruments finish their files and the shutdown event is written.
HANDLED_SIGNALS = (SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGHUP)


class TickLoop:
    """A periodic tick and the handled signals, multiplexed by one epoll.

    Other fds join the same epoll set with ``add_source``: the program's
    stdout writer does, to learn at once that its reader went away and when
    a stalled stdout takes lines again.
    """

    def __init__(
        self, interval_ns: int, *, tick_source: str = TIMERFD,
    ) -> None:
        if interval_ns <= 0:
            raise ValueError(f"interval must be positive, got {interval_ns} ns")
        if tick_source not in TICK_SOURCES:
            raise ValueError(f"tick_source must be one of {TICK_SOURCES}, not {tick_source!r}")
        self.interval_ns = interval_ns
        self.tick_source = tick_source
        self.counter = Counter()
        self._signals: SignalFD | None = None
        self._wait: LoopWait | None = None
        self._handlers: dict[int, Handler] = {}

    def open(self) -> Self:
        """Block the signals, create and register the fds, start the ticks.

        The mask comes first, so from here on a handled signal is queued for
        the signalfd instead of running its default action (terminate).
        """
        self._signals = SignalFD(HANDLED_SIGNALS, nonblocking=True)
        self._wait = LoopWait(self._signals, self.interval_ns, tick_source=self.tick_source)
        self._wait.arm()
        return self

    @property
    def start_ns(self) -> int:
        """CLOCK_MONOTONIC the tick schedule counts from (its owner is the wait)."""
        return self._opened("start_ns").start_ns

    def _opened(self, what: str) -> LoopWait:
        if self._wait is None:
            raise RuntimeError(f"TickLoop.{what} needs open() first")
        return self._wait

    def add_source(self, target: int | HasFileno, events: int, handler: Handler) -> int:
        """Watch another fd in the same epoll set (after ``open()``): when it is
        ready, ``handler(events)`` runs in the loop, after the wake-up's ticks
        and before its signals; what it raises ends the loop. Returns the
        source's number, for ``modify_source``."""
        source = self._opened("add_source()").add_source(target, events)
        self._handlers[source] = handler
        return source

    def modify_source(self, target: int | HasFileno, source: int, events: int) -> None:
        """Change the events watched for a source from ``add_source``."""
        self._opened("modify_source()").modify_source(target, source, events)

    def close(self) -> None:
        """Close the fds. The signals stay blocked: unblocking would deliver
        any still pending with their default action."""
        for fd_object in (self._wait, self._signals):
            if fd_object is not None:
                fd_object.close()
        self._wait = self._signals = None
        self._handlers.clear()

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def run(
        self, emit: Emit, observer: Observer | None = None, *, emit_ticks: bool = False
    ) -> Event:
        """Loop until a shutdown signal; return its event.

        ``emit`` gets each handled signal's event (and, with ``emit_ticks``,
        each wake-up's ticks); ``observer`` is told about every wake-up.
        """
        loop_wait = self._opened("run()")
        watched = observer is not None or emit_ticks
        loop_wait.every_wake = watched
        wait, counter, clock = loop_wait.wait, self.counter, time.monotonic_ns
        if observer is not None:
            observer.started(loop_wait.start_ns, loop_wait.interval_ns, loop_wait.tick_source)
        try:
            while True:
                ticks, signals, others = wait()
                if ticks:
                    counter.tick(ticks)
                if watched:
                    self._report_wake(loop_wait, ticks, emit if emit_ticks else None, observer)
                for source, events in others:
                    self._handlers[source](events)
                for record in signals:
                    # The signal path, written out here rather than in a call:
                    # every step between the wake-up and the write shows in
                    # the latency.
                    signo = record.signo
                    if signo == SIGUSR1:
                        kind = DISPLAY
                    elif signo == SIGUSR2:
                        counter.reset()
                        kind = RESET
                    else:  # SIGTERM, SIGINT or SIGHUP: the signalfd holds no others
                        kind = SHUTDOWN
                    event = new_tuple(Event, (kind, counter.count, signo, record.sender_pid,
                                              record.sender_uid, record.read_ns))
                    emit(event)
                    if emit_enabled():  # a tracer on sigcounter:emit (one nop otherwise)
                        fire_emit(EMIT_KINDS[kind], event.total)
                    if observer is not None:
                        observer.dispatched(record.read_ns, clock(), event, record)
                    if kind is SHUTDOWN:
                        return event
                if observer is not None:
                    observer.flush()
        finally:
            if observer is not None:
                observer.stopped(clock())

    def _report_wake(
        self, loop_wait: LoopWait, ticks: int, emit: Emit | None, observer: Observer | None,
    ) -> None:
        wake = loop_wait.wake(ticks)
        emitted = emit is not None and ticks > 0
        if emit is not None and ticks:
            emit(Tick(TICK, self.counter.count, ticks, wake.lateness_ns, wake.counted_ns))
            if emit_enabled():
                fire_emit(EMIT_TICK, self.counter.count)
        if observer is not None:
            observer.woke(wake, self.counter.count, emitted)

    def remove_source(self, target: int | HasFileno, source: int) -> None:
        """Stop watching a source from ``add_source``."""
        self._opened("remove_source()").remove_source(target)
        self._handlers.pop(source, None)
