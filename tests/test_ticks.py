"""Tick sources: the timeout source's arithmetic on a fake clock, and both on the real one."""

from __future__ import annotations

import time

import pytest

from sigcounter.ticks import TimeoutTicks, TimerfdTicks

MS = 1_000_000


class FakeClock:
    def __init__(self, now_ns: int) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(10**12)
    monkeypatch.setattr(time, "monotonic_ns", fake)  # what sigcounter.ticks reads
    return fake


def test_timeout_is_the_time_to_the_next_scheduled_tick(clock: FakeClock) -> None:
    """Right after arming, the wait may last one whole period; later, what is left of it."""
    source = TimeoutTicks(250 * MS)
    source.arm()
    assert source.timeout() == 0.25
    clock.now_ns += 100 * MS
    assert source.timeout() == pytest.approx(0.15)


def test_ticks_are_counted_from_the_schedule_not_from_wake_ups(clock: FakeClock) -> None:
    """A late wake-up counts every tick that fell due, and the phase never drifts."""
    source = TimeoutTicks(250 * MS)
    source.arm()
    clock.now_ns += 249 * MS
    assert source.take(False) == 0  # not due yet
    clock.now_ns += 2 * MS
    assert source.take(False) == 1
    assert source.timeout() == pytest.approx(0.249)  # due at 500 ms, not 251 + 250
    clock.now_ns += 5_000 * MS  # stopped for five seconds
    assert source.take(False) == 20
    assert source.take(False) == 0


def test_overdue_tick_means_no_wait(clock: FakeClock) -> None:
    """If a tick is already due, the timeout is 0, not negative."""
    source = TimeoutTicks(MS)
    source.arm()
    clock.now_ns += 10 * MS
    assert source.timeout() == 0


def test_both_sources_count_a_real_stall_exactly() -> None:
    """Left alone for 50 ms, both sources report every 1 ms tick that passed."""
    for source in (TimerfdTicks(MS), TimeoutTicks(MS)):
        armed = time.monotonic_ns()
        source.arm()
        time.sleep(0.05)  # the stall under test
        counted = source.take(True)
        elapsed = time.monotonic_ns() - armed
        source.close()
        assert 50 <= counted <= elapsed // MS, source.name
