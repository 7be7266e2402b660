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
from sigcounter.ticks import TickSource, TimeoutTicks

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from sigcounter.epoll import Epoll


class NativeWait:
    def __init__(self, epoll: Epoll, ticks: TickSource) -> None:
        # All the call's state in one C struct: one argument to convert per wait.
        self._state = state = ffi.new("struct tick_wait *")
        state.epfd = epoll.fileno()
        state.timerfd = -1 if ticks.fd is None else ticks.fd
        state.start_ns = ticks.start_ns
        state.interval_ns = ticks.interval_ns
        state.scheduled = ticks.taken if isinstance(ticks, TimeoutTicks) else 0
        self.interrupted = 0  # EINTRs retried, for instruments

    def wait(self) -> tuple[int, list[int]]:
        """Block until a non-timer fd is ready: (ticks counted meanwhile, ready fds)."""
        state = self._state
        while (count := lib.wait_and_count_ticks(state)) < 0:
            code = ffi.errno
            if code != errno.EINTR:
                raise OSError(code, os.strerror(code))
            self.interrupted += 1
        ticks, state.ticks = state.ticks, 0
        return ticks, list(state.ready[0:count])
