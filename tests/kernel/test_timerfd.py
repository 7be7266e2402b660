"""TimerFD against the real kernel: expirations, settings, errors."""

from __future__ import annotations

import errno
import fcntl
import time

import pytest

from sigcounter.kernel.timerfd import CLOCK_MONOTONIC, TimerFD, TimerSetting

MS = 1_000_000


def test_one_shot_due_now_expires_once() -> None:
    """1 ns is "due now": a blocking read returns one expiration."""
    with TimerFD() as timer:
        timer.settime(1)
        assert timer.read() == 1


def test_missed_expirations_are_all_reported() -> None:
    """A periodic timer left unread for a while reports every period missed."""
    with TimerFD() as timer:
        armed = time.monotonic_ns()
        timer.settime(MS, MS)
        time.sleep(0.05)  # the stall under test: the reader is away
        expirations = timer.read()
        elapsed = time.monotonic_ns() - armed
    assert 50 <= expirations <= elapsed // MS


def test_nonblocking_read_before_expiry_is_zero() -> None:
    """Non-blocking and not yet expired: 0, not an exception."""
    with TimerFD(nonblocking=True) as timer:
        timer.settime(3600 * 10**9)
        assert timer.read() == 0


def test_gettime_reports_what_settime_set() -> None:
    """The period comes back exactly; the time left is at most what was set."""
    with TimerFD() as timer:
        assert timer.settime(5 * 10**9, 250 * MS) == TimerSetting(0, 0)
        setting = timer.gettime()
        assert setting.interval_ns == 250 * MS
        assert 0 < setting.value_ns <= 5 * 10**9


def test_disarm_returns_the_old_setting_and_stops_the_timer() -> None:
    """After disarm(), gettime() is all zero."""
    with TimerFD() as timer:
        timer.settime(10**9, 10**9)
        assert timer.disarm().interval_ns == 10**9
        assert timer.gettime() == TimerSetting(0, 0)


def test_absolute_time_in_the_past_expires_at_once() -> None:
    """TFD_TIMER_ABSTIME with a time already passed expires immediately."""
    with TimerFD(CLOCK_MONOTONIC) as timer:
        timer.settime(time.clock_gettime_ns(time.CLOCK_MONOTONIC) - MS, absolute=True)
        assert timer.read() == 1


def test_bad_clock_is_an_oserror_with_the_real_errno() -> None:
    """Kernel refusals surface as OSError carrying the kernel's errno."""
    with pytest.raises(OSError) as info:
        TimerFD(clock=12345)
    assert info.value.errno == errno.EINVAL


def test_bad_times_are_refused_before_the_kernel() -> None:
    """Negative nanoseconds are a ValueError; seconds as floats a TypeError."""
    with TimerFD() as timer:
        with pytest.raises(ValueError):
            timer.settime(-1)
        with pytest.raises(TypeError):
            timer.settime(0.5)  # type: ignore[arg-type]


def test_close_on_exec_by_default() -> None:
    """The fd is close-on-exec unless cloexec=False."""
    with TimerFD() as timer, TimerFD(cloexec=False) as inheritable:
        assert fcntl.fcntl(timer.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        assert not fcntl.fcntl(inheritable.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC


def test_closed_timer_refuses_use() -> None:
    """After close(), fileno() and read() raise ValueError."""
    timer = TimerFD()
    timer.close()
    assert timer.closed
    with pytest.raises(ValueError):
        timer.read()
