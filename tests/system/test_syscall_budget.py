"""The syscall budget, counted with ``strace -f`` attached to the running program.

Steady state: one ``epoll_pwait`` and one 8-byte ``read`` of the timerfd per
tick, nothing else, one thread. A handled SIGUSR1 adds the wake-up, one read
of the signalfd and one write. These are counts, not times.
"""

from __future__ import annotations

import os
import re
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from support import StartFn, poll_until
from support.strace import Call, Strace

INTERVAL = "0.02"


def _timer_reads(calls: list[Call]) -> int:
    return sum(1 for c in calls if c.name == "read" and c.size == "8")


def trace(pid: int, output: Path, steps: list[Callable[[list[Call]], bool]]) -> list[Call]:
    """Attach strace to ``pid``; for each step, poll the trace until it says
    True; then detach and return every completed call."""
    tracer = Strace(pid, output)
    try:
        for step in steps:
            poll_until(
                lambda step=step: step(tracer.calls()),  # type: ignore[misc]
                what=f"strace: {step.__name__}",
            )
    finally:
        errors = tracer.stop()  # detach cleanly, flushing the output
    assert any("attached" in line for line in errors), errors
    return tracer.calls()


def _assert_one_thread(calls: list[Call], pid: int) -> None:
    assert {c.tid for c in calls} == {pid}


def _successful_waits(calls: list[Call]) -> int:
    """epoll_pwait calls that returned ready fds; an attach may cost one EINTR."""
    interrupted = [c for c in calls if c.name == "epoll_pwait" and c.result < 0]
    assert len(interrupted) <= 1 and all(c.errno == "EINTR" for c in interrupted), interrupted
    return sum(1 for c in calls if c.name == "epoll_pwait" and c.result > 0)


# --stats: the loop with an instrument on, returning to Python after every
# wake-up, makes the same system calls.
@pytest.mark.parametrize("loop", [[], ["--stats"]], ids=["plain", "stats"])
def test_steady_state_is_one_wait_and_one_read_per_tick(
    sig_counter: StartFn, tmp_path: Path, loop: list[str]
) -> None:
    """Over 25+ idle ticks: epoll_pwait + read(timerfd) per tick, nothing else, one thread."""
    process = sig_counter("--interval", INTERVAL, *loop)
    pid = process.wait_ready()
    calls = trace(pid, tmp_path / "trace", [lambda calls: _timer_reads(calls) >= 25])
    names = Counter(c.name for c in calls)
    assert set(names) == {"epoll_pwait", "read"}, names
    reads = [c for c in calls if c.name == "read"]
    assert all(c.size == "8" and c.result == 8 for c in reads), reads
    ticks = len(reads)
    # The attach can land between a wait's return and its read (a read whose
    # wait went untraced), and so can the detach (a wait without its read).
    assert _successful_waits(calls) - ticks in (-1, 0, 1), names
    _assert_one_thread(calls, pid)


_TIMEOUT_ARG = re.compile(r"epoll_pwait\(\d+, .*?, \d+, (-?\d+), ")


# --stats: the loop with an instrument on, returning to Python after every
# wake-up, makes the same system calls.
@pytest.mark.parametrize("loop", [[], ["--stats"]], ids=["plain", "stats"])
def test_timeout_source_is_one_wait_per_tick(
    sig_counter: StartFn, tmp_path: Path, loop: list[str]
) -> None:
    """--tick-source timeout: one epoll_pwait per tick, timing out after at most one period."""
    process = sig_counter("--interval", INTERVAL, "--tick-source", "timeout", *loop)
    pid = process.wait_ready()
    output = tmp_path / "trace"
    calls = trace(pid, output, [lambda calls: _timed_out_waits(calls) >= 25])
    assert {c.name for c in calls} == {"epoll_pwait"}
    assert _successful_waits(calls) == 0  # no fd ever woke it: only timeouts
    timeouts = [int(m[1]) for m in map(_TIMEOUT_ARG.search, output.read_text().splitlines()) if m]
    assert len(timeouts) >= 25
    # Each wait sleeps until the next tick is due: never 0 (a spin), never over a period.
    period_ms = round(float(INTERVAL) * 1000)
    assert all(1 <= timeout <= period_ms for timeout in timeouts), timeouts
    _assert_one_thread(calls, pid)


def _timed_out_waits(calls: list[Call]) -> int:
    return sum(1 for c in calls if c.name == "epoll_pwait" and c.result == 0)


def test_a_handled_usr1_adds_one_wake_one_read_one_write(
    sig_counter: StartFn, tmp_path: Path
) -> None:
    """SIGUSR1 costs exactly read(signalfd) + write(stdout), plus its wake-up."""
    process = sig_counter("--interval", INTERVAL)
    pid = process.wait_ready()
    answered: list[bytes] = []

    def send_usr1(calls: list[Call]) -> bool:
        if _timer_reads(calls) < 5:
            return False
        process.send(signal.SIGUSR1)
        answered.append(process.line())
        return True

    def five_more_ticks(calls: list[Call]) -> bool:
        return any(c.name == "write" for c in calls) and _timer_reads(calls) >= 10

    calls = trace(pid, tmp_path / "trace", [send_usr1, five_more_ticks])
    names = Counter(c.name for c in calls)
    assert set(names) == {"epoll_pwait", "read", "write"}, names
    (write,) = [c for c in calls if c.name == "write"]
    # Written to stdout's pipe through the program's own (non-blocking) description of it.
    assert os.readlink(f"/proc/{pid}/fd/{write.fd}") == os.readlink(f"/proc/{pid}/fd/1")
    assert write.result == len(answered[0])
    signal_reads = [c for c in calls if c.name == "read" and c.size != "8"]
    assert [c.result for c in signal_reads] == [128]  # one record, one read
    ticks = _timer_reads(calls)
    # The signal's own wake-up (0 if it shared one with a tick), give or take
    # the attach or the detach landing between a wait and its read.
    assert _successful_waits(calls) - ticks in (-1, 0, 1, 2), names
    _assert_one_thread(calls, pid)
