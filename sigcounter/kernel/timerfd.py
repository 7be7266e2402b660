"""TimerFD: a kernel timer that becomes readable when it expires.

Times are integer nanoseconds, so intervals stay exact. A periodic timer runs
from its *scheduled* times, never from when it was read, and ``read()``
returns how many expirations happened since the last read: a process that
was stopped or starved learns exactly how many ticks it missed.
"""

from __future__ import annotations

import os
import sys

from sigcounter.kernel.constants import NS_PER_S
from sigcounter.kernel.fd import FdObject, check
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.record import Record

if TYPE_CHECKING:
    from typing import Any

CLOCK_REALTIME = lib.CLOCK_REALTIME
CLOCK_MONOTONIC = lib.CLOCK_MONOTONIC
CLOCK_BOOTTIME = lib.CLOCK_BOOTTIME


class TimerSetting(Record):
    """Nanoseconds until the next expiration (0: disarmed), and the period."""

    __slots__ = ()
    _fields = ("value_ns", "interval_ns")
    value_ns: int
    interval_ns: int


def _to_timespec(spec: Any, nanoseconds: int) -> None:
    if not isinstance(nanoseconds, int) or isinstance(nanoseconds, bool):
        raise TypeError(f"times are int nanoseconds, not {type(nanoseconds).__name__}")
    if nanoseconds < 0:
        raise ValueError(f"times cannot be negative: {nanoseconds} ns")
    spec.tv_sec, spec.tv_nsec = divmod(nanoseconds, NS_PER_S)


def _from_itimerspec(spec: Any) -> TimerSetting:
    value = spec.it_value.tv_sec * NS_PER_S + spec.it_value.tv_nsec
    interval = spec.it_interval.tv_sec * NS_PER_S + spec.it_interval.tv_nsec
    return TimerSetting(value, interval)


class TimerFD(FdObject):
    """A timerfd on ``clock`` (``CLOCK_MONOTONIC`` unless told otherwise)."""

    def __init__(
        self,
        clock: int = CLOCK_MONOTONIC,
        *,
        nonblocking: bool = False,
        cloexec: bool = True,
    ) -> None:
        flags = (lib.TFD_NONBLOCK if nonblocking else 0) | (
            lib.TFD_CLOEXEC if cloexec else 0
        )
        super().__init__(check(lib.timerfd_create(clock, flags)))

    def settime(
        self, value_ns: int, interval_ns: int = 0, *, absolute: bool = False
    ) -> TimerSetting:
        """Arm the timer; return the previous setting.

        ``value_ns`` is the first expiration (relative, or an absolute clock
        time with ``absolute=True``); ``interval_ns`` the period after it.
        A ``value_ns`` of 0 disarms the timer: "due now" is 1 ns.
        """
        new, old = ffi.new("struct itimerspec *"), ffi.new("struct itimerspec *")
        _to_timespec(new.it_value, value_ns)
        _to_timespec(new.it_interval, interval_ns)
        flags = lib.TFD_TIMER_ABSTIME if absolute else 0
        check(lib.timerfd_settime(self.fileno(), flags, new, old))
        return _from_itimerspec(old)

    def gettime(self) -> TimerSetting:
        """Time left until the next expiration, and the period."""
        current = ffi.new("struct itimerspec *")
        check(lib.timerfd_gettime(self.fileno(), current))
        return _from_itimerspec(current)

    def disarm(self) -> TimerSetting:
        """Stop the timer; return the setting it had."""
        return self.settime(0, 0)

    def read(self) -> int:
        """Expirations since the last read; blocks until there is one, unless
        non-blocking, where 0 means none yet."""
        try:
            data = os.read(self.fileno(), 8)
        except BlockingIOError:
            return 0
        return int.from_bytes(data, sys.byteorder)  # a native uint64_t
