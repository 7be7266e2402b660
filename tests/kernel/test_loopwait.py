"""LoopWait, the native wait, at its edges: records, floods, EINTR, the schedule.

Each test runs in a forked child (signal masks are process-wide there).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from support import in_child, poll_until

from sigcounter.kernel.constants import TICK_SOURCES, TIMEOUT, TIMERFD
from sigcounter.kernel.epoll import EPOLLIN, Epoll
from sigcounter.kernel.loopwait import NSIGNALS, RECORDS, TICKS, LoopWait
from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.siginfo import RECORD_WORDS, SigInfo
from sigcounter.kernel.signalfd import SignalFD
from sigcounter.signaltable import ROWS

MS = 1_000_000
HANDLED = [row.signo for row in ROWS]  # every signal the table handles


def _pending_records(signals: list[int]) -> list[SigInfo]:
    with SignalFD(HANDLED) as signalfd, LoopWait(signalfd, 1000 * MS) as wait:
        wait.arm()
        for signum in signals:
            os.kill(os.getpid(), signum)
        _ticks, records, watched = wait.wait()
        assert not watched
        return list(records)


def test_one_wake_returns_every_pending_signal_lowest_number_first() -> None:
    """Every handled signal, pending at once, comes back from one wait, in the
    kernel's order (lowest number first), not the order they were sent in."""
    records = in_child(lambda: _pending_records(sorted(HANDLED, reverse=True)))
    assert [r.signo for r in records] == sorted(HANDLED)


def test_records_carry_sender_and_code() -> None:
    """signo, sender pid and uid and si_code (SI_USER for kill) are decoded in C."""
    def run() -> tuple[int, list[SigInfo]]:
        return os.getpid(), _pending_records([signal.SIGUSR1])

    pid, records = in_child(run)
    assert [(r.signo, r.sender_pid, r.sender_uid, r.code) for r in records] == [
        (signal.SIGUSR1, pid, os.getuid(), 0)]


def _queued_values() -> list[tuple[int, int, int]]:
    """sigqueue(3) from a helper process: si_code SI_QUEUE and the value."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    class Sigval(ctypes.Union):
        _fields_ = [("sival_int", ctypes.c_int), ("sival_ptr", ctypes.c_void_p)]

    with SignalFD([signal.SIGUSR1]) as signalfd, LoopWait(signalfd, 1000 * MS) as wait:
        wait.arm()
        assert libc.sigqueue(os.getpid(), signal.SIGUSR1, Sigval(sival_int=4242)) == 0
        _ticks, records, _ = wait.wait()
        return [(r.signo, r.code, r.value_int) for r in records]


def test_sigqueue_value_reaches_python() -> None:
    """A sigqueue(3) value and si_code SI_QUEUE (-1) come through the native wait."""
    assert in_child(_queued_values) == [(signal.SIGUSR1, -1, 4242)]


def _flood_of_realtime(count: int) -> tuple[list[int], list[int]]:
    """Real-time signals queue one record each: more than one read's worth."""
    rt = signal.SIGRTMIN
    with SignalFD([rt]) as signalfd, LoopWait(signalfd, 1000 * MS) as wait:
        wait.arm()
        for _ in range(count):
            os.kill(os.getpid(), rt)
        per_wake: list[int] = []
        seen: list[int] = []
        while len(seen) < count:
            _ticks, records, _ = wait.wait()
            per_wake.append(len(records))
            seen.extend(r.signo for r in records)
        return per_wake, seen


def test_a_flood_is_read_several_records_per_wake_none_lost() -> None:
    """40 queued signals come back in reads of up to 16 records, all of them."""
    per_wake, seen = in_child(lambda: _flood_of_realtime(40))
    assert sum(per_wake) == 40 and max(per_wake) == 16
    assert seen == [signal.SIGRTMIN] * 40


def _stop_and_continue(pid: int) -> None:
    """From a helper process: once ``pid`` sleeps in epoll_pwait, stop it for
    a while, continue it (its wait then ends in EINTR), and send SIGUSR1.
    Three times over: on a loaded machine a stop can land while the process
    is between two waits (runnable after a timeout), which ends no wait."""
    wchan = Path(f"/proc/{pid}/wchan")
    state = Path(f"/proc/{pid}/stat")
    for _ in range(3):
        poll_until(lambda: wchan.read_text() == "do_epoll_wait", what="the wait")
        os.kill(pid, signal.SIGSTOP)
        poll_until(lambda: state.read_text().rsplit(")", 1)[1].split()[0] == "T",
                   what="the stop")
        time.sleep(0.05)  # the stop under test: ticks fall due meanwhile
        os.kill(pid, signal.SIGCONT)
    os.kill(pid, signal.SIGUSR1)


def _ticks_survive_eintr(tick_source: str) -> tuple[int, int, int, int, int]:
    with SignalFD([signal.SIGUSR1]) as signalfd, \
            LoopWait(signalfd, 5 * MS, tick_source=tick_source) as wait:
        start = wait.arm()
        helper = os.fork()
        if helper == 0:  # pragma: no cover - the helper process
            try:
                _stop_and_continue(os.getppid())
            finally:
                os._exit(0)
        ticks, records, _ = wait.wait()
        due_after = (time.monotonic_ns() - start) // (5 * MS)
        os.waitpid(helper, 0)
        return ticks, wait.ticks_total, due_after, wait.interrupted, len(records)


@pytest.mark.parametrize("tick_source", TICK_SOURCES)
def test_eintr_is_retried_and_loses_no_tick(tick_source: str) -> None:
    """SIGSTOP and SIGCONT end the wait with EINTR: it is retried, and every
    tick that fell due while stopped is counted and handed over."""
    ticks, total, due_after, interrupted, signals = in_child(
        lambda: _ticks_survive_eintr(tick_source))
    assert interrupted >= 1 and signals == 1
    assert ticks == total
    assert 30 <= ticks <= due_after  # 3 x 50 ms stopped, at 5 ms a tick


def _schedule(tick_source: str) -> tuple[int, int, int, int]:
    with SignalFD([signal.SIGUSR1]) as signalfd, \
            LoopWait(signalfd, 2 * MS, tick_source=tick_source, every_wake=True) as wait:
        start = wait.arm()
        total, latenesses = 0, []
        while total < 20:
            ticks, _records, _ = wait.wait()
            wake = wait.last_wake(ticks)
            total += ticks
            if ticks:
                latenesses.append(wake.lateness_ns)
        now = time.monotonic_ns()
        return total, wait.ticks_total, (now - start) // (2 * MS), min(latenesses)


@pytest.mark.parametrize("tick_source", TICK_SOURCES)
def test_every_wake_reports_each_tick_on_one_schedule(tick_source: str) -> None:
    """With every_wake the wait returns per tick; the schedule has one owner,
    the count is exact and the lateness is never negative."""
    total, ticks_total, due_by_now, least_lateness = in_child(lambda: _schedule(tick_source))
    assert total == ticks_total >= 20
    assert ticks_total <= due_by_now
    assert least_lateness >= 0


def _watched_fd() -> list[tuple[int, int]]:
    read_end, write_end = os.pipe()
    with SignalFD([signal.SIGUSR1]) as signalfd, LoopWait(signalfd, 1000 * MS) as wait:
        tag = wait.watch(read_end, EPOLLIN)
        wait.arm()
        os.write(write_end, b"x")
        _ticks, _records, watched = wait.wait()
        return [(got - tag, events) for got, events in watched]


def test_a_ready_watched_fd_comes_back_by_its_tag() -> None:
    """A watched fd is reported by the tag watch() gave, not by its fd number."""
    assert in_child(_watched_fd) == [(0, EPOLLIN)]


def test_an_epoll_tag_comes_back_whole_all_64_bits() -> None:
    """The wait hands back the 64-bit data Epoll registered: a tag above 2**32
    returns unchanged (a 32-bit read in C would return its low or high half)."""
    tag = 2**40 + lib.TAG_FIRST_WATCH
    read_end, write_end = os.pipe()
    with Epoll() as epoll:
        state = ffi.new("struct loop_wait *")
        state.epfd, state.timerfd, state.signalfd = epoll.fileno(), -1, -1
        state.interval_ns, state.start_ns = 1000 * MS, time.monotonic_ns()
        epoll.register(read_end, EPOLLIN, data=tag)
        os.write(write_end, b"x")
        try:
            assert lib.loop_wait(state) == 1
            assert (state.ready[0].tag, state.ready[0].events) == (tag, EPOLLIN)
        finally:
            os.close(read_end)
            os.close(write_end)


def test_the_signal_path_words_are_the_structs_fields() -> None:
    """The words LoopWait reads through its memoryview are struct loop_wait's
    ticks, nsignals and first record's signo, at the offsets taken at import."""
    with SignalFD([signal.SIGUSR1], block=False) as signalfd, \
            LoopWait(signalfd, MS) as wait:
        state = wait._state
        state.ticks, state.nsignals, state.signals[0].signo = 5, 3, signal.SIGUSR2
        state.signals[1].read_ns = 77
        words = wait._out
        assert (words[TICKS], words[NSIGNALS], words[RECORDS]) == (5, 3, signal.SIGUSR2)
        assert words[RECORDS + 2 * RECORD_WORDS - 1] == 77


def test_bad_arguments_are_value_errors() -> None:
    """A non-positive interval or an unknown tick source is refused up front."""
    def run() -> list[str]:
        errors = []
        with SignalFD([signal.SIGUSR1]) as signalfd:
            for kwargs in ({"interval_ns": 0}, {"interval_ns": MS, "tick_source": "x"}):
                try:
                    LoopWait(signalfd, **kwargs)
                except ValueError as exc:
                    errors.append(str(exc))
        return errors

    assert len(in_child(run)) == 2


def test_timeout_source_has_no_timer() -> None:
    """The timeout source makes no timerfd: nothing to read per tick."""
    def run() -> tuple[bool, bool]:
        with SignalFD([signal.SIGUSR1]) as signalfd, \
                LoopWait(signalfd, MS, tick_source=TIMEOUT) as timeout_wait, \
                LoopWait(signalfd, MS, tick_source=TIMERFD) as timer_wait:
            return timeout_wait._timer is None, timer_wait._timer is not None

    assert in_child(run) == (True, True)


def test_the_signal_path_reads_no_cdata_field_by_name() -> None:
    """lean.py's signal-path tricks are in place: LoopWait.wait() reads the ticks,
    the count and the records through its memoryview, not as cdata fields or with
    ffi.unpack, and the loop checks the emit probe without a call into C."""
    from sigcounter.loop import TickLoop

    assert {"ticks", "nsignals", "signals", "unpack", "lib"}.isdisjoint(
        LoopWait.wait.__code__.co_names)
    assert "emit_semaphore" in TickLoop.run.__code__.co_names
    assert "emit_enabled" not in TickLoop.run.__code__.co_names
