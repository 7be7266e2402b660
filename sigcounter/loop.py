"""The one event loop: wait in ``epoll_pwait``, dispatch in a fixed order, repeat.

One thread, one blocking call. Each wake-up first drains the ticks, so a
signal handled in the same wake-up sees every tick that came before it, then
handles the signals one by one in the order the signalfd returns them.
For standard signals pending together that is lowest number first (SIGINT 2,
SIGUSR1 10, SIGUSR2 12, SIGTERM 15), whatever order they were sent in. A
shutdown signal ends the loop right after its event is emitted.

Three paths run that same order. By default ticks are counted in C (see
drain.py) and Python runs only for signals. ``native_ticks=False`` counts
them in Python, one bytecode-level pass per tick. With an observer (stats,
trace) or tick events, an instrumented Python pass tells the observer about
every wait and dispatch.
"""

from __future__ import annotations

import errno
import os
import time

from sigcounter.counter import Counter
from sigcounter.drain import NativeWait
from sigcounter.epoll import Epoll
from sigcounter.events import DISPLAY, RESET, SHUTDOWN, TICK, Event
from sigcounter.observer import Observer
from sigcounter.signalfd import SignalFD
from sigcounter.signals import SIGINT, SIGTERM, SIGUSR1, SIGUSR2
from sigcounter.ticks import TICK_SOURCES

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType
    from typing import Self

    from sigcounter.signalfd import SigInfo
    from sigcounter.ticks import TickSource

    Emit = Callable[[Event], None]

HANDLED_SIGNALS = (SIGUSR1, SIGUSR2, SIGTERM, SIGINT)
_new = tuple.__new__
SHUTDOWN_SIGNALS = frozenset({SIGTERM, SIGINT})


class TickLoop:
    """A periodic tick and the handled signals, multiplexed by one epoll.

    ``watch_output`` is an fd (a pipe or socket the program writes to) whose
    reader going away should end the loop with ``BrokenPipeError`` at once,
    rather than at the next write.
    """

    def __init__(
        self, interval_ns: int, *, tick_source: str = "timerfd", native_ticks: bool = True,
        watch_output: int | None = None,
    ) -> None:
        if interval_ns <= 0:
            raise ValueError(f"interval must be positive, got {interval_ns} ns")
        if tick_source not in TICK_SOURCES:
            raise ValueError(f"tick_source must be one of {sorted(TICK_SOURCES)}: {tick_source!r}")
        self.interval_ns = interval_ns
        self.tick_source = tick_source
        self.native_ticks = native_ticks
        self.counter = Counter()
        self.armed_ns = 0  # CLOCK_MONOTONIC the tick schedule counts from
        self._watch_output = watch_output
        self._signals: SignalFD | None = None
        self._ticks: TickSource | None = None
        self._epoll: Epoll | None = None

    def open(self) -> Self:
        """Block the signals, create and register the fds, arm the ticks.

        The mask comes first, so from here on a handled signal is queued for
        the signalfd instead of running its default action (terminate).
        """
        self._signals = SignalFD(HANDLED_SIGNALS, nonblocking=True)
        self._ticks = ticks = TICK_SOURCES[self.tick_source](self.interval_ns)
        self._epoll = Epoll()
        if ticks.fd is not None:
            self._epoll.register(ticks.fd)
        self._epoll.register(self._signals)
        if self._watch_output is not None:
            # No events asked for: epoll still reports EPOLLERR/EPOLLHUP, which
            # is exactly "the reader closed its end".
            self._epoll.register(self._watch_output, 0)
        ticks.arm()
        self.armed_ns = ticks.start_ns
        return self

    def close(self) -> None:
        """Close the fds. The signals stay blocked: unblocking would deliver
        any still pending with their default action."""
        for fd_object in (self._epoll, self._ticks, self._signals):
            if fd_object is not None:
                fd_object.close()
        self._epoll = self._ticks = self._signals = None

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
        """Loop until a shutdown signal; return its event."""
        if self._epoll is None or self._ticks is None or self._signals is None:
            raise RuntimeError("TickLoop.run() needs open() first")
        if observer is not None or emit_ticks:
            return self._run_observed(emit, observer or Observer(), emit_ticks)
        if self.native_ticks:
            return self._run_native(emit)
        return self._run_python(emit)

    def _run_native(self, emit: Emit) -> Event:
        assert self._epoll and self._ticks and self._signals
        wait = NativeWait(self._epoll, self._ticks).wait
        tick, handle = self.counter.tick, self._handle_signals
        only_signals = [self._signals.fileno()]
        while True:
            expirations, ready = wait()
            if expirations:
                tick(expirations)
            if ready != only_signals:  # anything else ready is the watched output: closed
                raise _output_closed()
            if (final := handle(emit)) is not None:
                return final

    def _run_python(self, emit: Emit) -> Event:
        assert self._epoll and self._ticks and self._signals
        wait, timeout, take = self._epoll.wait, self._ticks.timeout, self._ticks.take
        tick, classify, handle = self.counter.tick, self._classify, self._handle_signals
        while True:
            timer_ready, signals_ready = classify(wait(timeout()))
            expirations = take(timer_ready)
            if expirations:
                tick(expirations)
            if signals_ready and (final := handle(emit)) is not None:
                return final

    def _handle_signals(self, emit: Emit) -> Event | None:
        """Read the pending signals, dispatch each; the shutdown event, if one came."""
        assert self._signals
        for info in self._signals.read():
            event = self._dispatch(info, time.monotonic_ns())
            emit(event)
            if event.kind == SHUTDOWN:
                return event
        return None

    def _run_observed(self, emit: Emit, observer: Observer, emit_ticks: bool) -> Event:
        assert self._epoll and self._ticks and self._signals
        epoll, ticks, read_signals = self._epoll, self._ticks, self._signals.read
        clock, expirations_so_far = time.monotonic_ns, 0
        observer.started(self.armed_ns, self.interval_ns, self.tick_source)
        try:
            while True:
                timeout = ticks.timeout()
                interrupted, begin = epoll.interrupted, clock()
                ready = epoll.wait(timeout)
                woke = clock()
                observer.waited(begin, woke, len(ready), epoll.interrupted - interrupted)
                start = clock()  # the dispatch slices leave out the observer's own time
                timer_ready, signals_ready = self._classify(ready)
                if expirations := ticks.take(timer_ready):
                    expirations_so_far += expirations
                    count = self.counter.tick(expirations)
                    if emit_ticks:
                        emit(Event(TICK, count, 0, 0, 0, woke, expirations))
                    due = self.armed_ns + expirations_so_far * self.interval_ns
                    observer.ticked(start, clock(), expirations, count, woke - due, emit_ticks)
                if signals_ready:
                    infos = read_signals()
                    observer.signals_read(clock(), len(infos))
                    for info in infos:
                        start = clock()
                        event = self._dispatch(info, start)
                        emit(event)
                        observer.dispatched(start, clock(), info, event)
                        if event.kind == SHUTDOWN:
                            return event
        finally:
            observer.stopped(clock())

    def _classify(self, ready: list[tuple[int, int]]) -> tuple[bool, bool]:
        """(timer ready, signals ready); the watched output can only mean EPIPE."""
        assert self._ticks and self._signals
        timer_ready = signals_ready = False
        for fd, _events in ready:
            if fd == self._ticks.fd:
                timer_ready = True
            elif fd == self._signals.fileno():
                signals_ready = True
            else:
                raise _output_closed()
        return timer_ready, signals_ready

    def _dispatch(self, info: SigInfo, now_ns: int) -> Event:
        signo = info.signo
        if signo == SIGUSR2:
            self.counter.reset()
            kind = RESET
        elif signo in SHUTDOWN_SIGNALS:
            kind = SHUTDOWN
        else:
            kind = DISPLAY
        count = self.counter.count
        # tuple.__new__ skips Record's argument check: this is the signal hot path.
        return _new(Event, (kind, count, signo, info.sender_pid, info.sender_uid, now_ns, 0))


def _output_closed() -> BrokenPipeError:
    return BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
