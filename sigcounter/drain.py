"""NativeWait: the steady-state wait, with ticks counted in C.

One call to the native ``wait_and_count_ticks`` (native/source.c) blocks in
``epoll_pwait``, drains every tick (reading the timerfd, or counting elapsed
periods on CLOCK_MONOTONIC for the timeout source) and comes back to Python
only when another fd is ready: a signal, or the watched output closing. An
idle tick runs no Python bytecode at all, and makes the same system calls as
the Python loop. An EINTR comes back to Python too, so that Python-level
signal handlers run, and is retried here.
"""

from __future__ import annotations

import errno
import os

from sigcounter.native import ffi, lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from sigcounter.epoll import Epoll
    from sigcounter.ticks import TickSource

_SCHEDULED, _TICKS = 0, 1


class NativeWait:
    def __init__(self, epoll: Epoll, ticks: TickSource, maxevents: int = 16) -> None:
        self._epfd = epoll.fileno()
        self._maxevents = maxevents
        self._events = ffi.new("struct epoll_event[]", maxevents)
        self._cells = ffi.new("uint64_t[2]")
        self._timerfd = -1 if ticks.fd is None else ticks.fd
        self._start_ns = getattr(ticks, "start_ns", 0)
        self._interval_ns = ticks.interval_ns
        self._cells[_SCHEDULED] = getattr(ticks, "taken", 0)
        self.interrupted = 0  # EINTRs retried, for instruments

    def wait(self) -> tuple[int, list[int]]:
        """Block until a non-timer fd is ready: (ticks counted meanwhile, ready fds)."""
        cells = self._cells
        while True:
            count = lib.wait_and_count_ticks(
                self._epfd, self._events, self._maxevents, self._timerfd, self._start_ns,
                self._interval_ns, cells + _SCHEDULED, cells + _TICKS,
            )
            if count >= 0:
                break
            code = ffi.errno
            if code != errno.EINTR:
                raise OSError(code, os.strerror(code))
            self.interrupted += 1
        ticks, cells[_TICKS] = cells[_TICKS], 0
        events = self._events
        return ticks, [events[i].data.fd for i in range(count)]
