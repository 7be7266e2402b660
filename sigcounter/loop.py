"""The one event loop: wait in ``epoll_pwait``, dispatch in a fixed order, repeat.

One thread, one blocking call. Each wake-up first drains the timer, so a
signal handled in the same wake-up sees every tick that came before it, then
handles the signals one by one in the order the kernel queued them. A
shutdown signal ends the loop right after its event is emitted.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable
from types import TracebackType
from typing import NamedTuple, Self

from sigcounter.counter import Counter
from sigcounter.epoll import Epoll
from sigcounter.signalfd import SigInfo, SignalFD
from sigcounter.timerfd import TimerFD

HANDLED_SIGNALS = (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT)
SHUTDOWN_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})

DISPLAY, RESET, SHUTDOWN = "display", "reset", "shutdown"


class Event(NamedTuple):
    """What a handled signal did, for the output edge to report."""

    kind: str  # DISPLAY, RESET or SHUTDOWN
    count: int  # type: ignore[assignment]  # the count once the signal was handled
    signo: signal.Signals | int
    sender_pid: int  # 0 when the sender is outside our PID namespace
    sender_uid: int


class TickLoop:
    """A periodic timer and the handled signals, multiplexed by one epoll.

    ``watch_output`` is an fd (a pipe or socket the program writes to) whose
    reader going away should end the loop with ``BrokenPipeError`` at once,
    rather than at the next write.
    """

    def __init__(self, interval_ns: int, *, watch_output: int | None = None) -> None:
        if interval_ns <= 0:
            raise ValueError(f"interval must be positive, got {interval_ns} ns")
        self.interval_ns = interval_ns
        self.counter = Counter()
        self._watch_output = watch_output
        self._signals: SignalFD | None = None
        self._timer: TimerFD | None = None
        self._epoll: Epoll | None = None

    def open(self) -> Self:
        """Block the signals, create and register the fds, arm the timer.

        The mask comes first, so from here on a handled signal is queued for
        the signalfd instead of running its default action (terminate).
        """
        self._signals = SignalFD(HANDLED_SIGNALS, nonblocking=True)
        self._timer = TimerFD(nonblocking=True)
        self._epoll = Epoll()
        self._epoll.register(self._timer)
        self._epoll.register(self._signals)
        if self._watch_output is not None:
            # No events asked for: epoll still reports EPOLLERR/EPOLLHUP, which
            # is exactly "the reader closed its end".
            self._epoll.register(self._watch_output, 0)
        self._timer.settime(self.interval_ns, self.interval_ns)
        return self

    def close(self) -> None:
        """Close the fds. The signals stay blocked: unblocking would deliver
        any still pending with their default action."""
        for fd_object in (self._epoll, self._timer, self._signals):
            if fd_object is not None:
                fd_object.close()
        self._epoll = self._timer = self._signals = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, emit: Callable[[Event], None]) -> Event:
        """Loop until a shutdown signal; return its event."""
        if self._epoll is None or self._timer is None or self._signals is None:
            raise RuntimeError("TickLoop.run() needs open() first")
        wait, read_timer, read_signals = self._epoll.wait, self._timer.read, self._signals.read
        timer_fd, signal_fd = self._timer.fileno(), self._signals.fileno()
        tick = self.counter.tick
        while True:
            timer_ready = signals_ready = False
            for fd, _events in wait():
                if fd == timer_fd:
                    timer_ready = True
                elif fd == signal_fd:
                    signals_ready = True
                else:
                    raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
            if timer_ready:
                tick(read_timer())
            if signals_ready:
                for info in read_signals():
                    event = self._dispatch(info)
                    emit(event)
                    if event.kind == SHUTDOWN:
                        return event

    def _dispatch(self, info: SigInfo) -> Event:
        if info.signo == signal.SIGUSR2:
            self.counter.reset()
            kind = RESET
        elif info.signo in SHUTDOWN_SIGNALS:
            kind = SHUTDOWN
        else:
            kind = DISPLAY
        return Event(kind, self.counter.count, info.signo, info.sender_pid, info.sender_uid)
