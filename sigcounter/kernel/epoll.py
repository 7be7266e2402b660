"""Epoll: wait on many fds at once, through ``epoll_pwait``.

Unlike ``select.epoll``, the wait is the real ``epoll_pwait`` call (tracers
show that name) and can take a temporary signal mask. The ready-event array
is allocated once, so a wait allocates nothing in C.
"""

from __future__ import annotations

import time

from sigcounter.kernel.fd import FdObject, as_fd, check, retry_on_eintr
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.native import ffi, lib

if TYPE_CHECKING:
    from sigcounter.kernel.fd import HasFileno
    from sigcounter.kernel.sigset import Sigset

EPOLLIN = lib.EPOLLIN
EPOLLOUT = lib.EPOLLOUT
EPOLLPRI = lib.EPOLLPRI
EPOLLERR = lib.EPOLLERR
EPOLLHUP = lib.EPOLLHUP
EPOLLRDHUP = lib.EPOLLRDHUP
EPOLLET = lib.EPOLLET
EPOLLONESHOT = lib.EPOLLONESHOT


def _timeout_ms(timeout: float | None) -> int:
    """Seconds to epoll's milliseconds, rounding up so a wait never ends early."""
    if timeout is None or timeout < 0:
        return -1
    if timeout != timeout:  # NaN, without importing math (a shared library) for it
        raise ValueError("timeout cannot be NaN")
    milliseconds = timeout * 1000
    whole = int(min(milliseconds, 2**31 - 1))
    return whole + 1 if whole < milliseconds and whole < 2**31 - 1 else whole


class Epoll(FdObject):
    """An epoll instance; ``wait()`` returns ``[(fd, events), ...]`` (the
    registered ``data`` in place of the fd, where one was given)."""

    def __init__(self, *, maxevents: int = 16, cloexec: bool = True) -> None:
        if maxevents < 1:
            raise ValueError(f"maxevents must be at least 1, got {maxevents}")
        super().__init__(check(lib.epoll_create1(lib.EPOLL_CLOEXEC if cloexec else 0)))
        self._maxevents = maxevents
        self._events = ffi.new("struct epoll_event[]", maxevents)

    def _ctl(self, op: int, target: int | HasFileno, events: int, data: int | None) -> None:
        fd = as_fd(target)
        if data is not None and not 0 <= data < 2**64:
            raise ValueError(f"epoll data must fit in 64 unsigned bits: {data}")
        event = ffi.new("struct epoll_event *")
        event.events = events
        event.data.u64 = fd if data is None else data
        check(lib.epoll_ctl(self.fileno(), op, fd, event))

    def register(
        self, target: int | HasFileno, events: int = EPOLLIN, *, data: int | None = None
    ) -> None:
        """Watch ``target`` (an fd or an object with ``fileno()``) for ``events``.

        ``wait()`` reports it by ``data``: its fd unless told otherwise (a
        number that says what kind of source it is, say).
        """
        self._ctl(lib.EPOLL_CTL_ADD, target, events, data)

    def modify(
        self, target: int | HasFileno, events: int, *, data: int | None = None
    ) -> None:
        self._ctl(lib.EPOLL_CTL_MOD, target, events, data)

    def unregister(self, target: int | HasFileno) -> None:
        self._ctl(lib.EPOLL_CTL_DEL, target, 0, None)

    def wait(
        self, timeout: float | None = None, sigmask: Sigset | None = None
    ) -> list[tuple[int, int]]:
        """Block until an fd is ready or ``timeout`` seconds pass (None: forever).

        With ``sigmask``, that mask is in force only while waiting. An EINTR
        (a handled signal, or SIGSTOP/SIGCONT) is retried with the time left.
        """
        epfd = self.fileno()
        mask = ffi.NULL if sigmask is None else sigmask.cdata
        deadline = None if timeout is None or timeout < 0 else time.monotonic() + timeout
        timeout_ms = _timeout_ms(timeout)
        events = self._events
        while (count := lib.epoll_pwait(epfd, events, self._maxevents, timeout_ms, mask)) < 0:
            retry_on_eintr(ffi.errno)
            if deadline is not None:
                timeout_ms = _timeout_ms(max(0.0, deadline - time.monotonic()))
        return [(events[i].data.u64, events[i].events) for i in range(count)]
