"""RunState: pure state, checked without any kernel object."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.runstate import RunState


def test_starts_at_zero_and_adds_expirations() -> None:
    """A timer read that reports 5 expirations adds 5."""
    state = RunState()
    assert state.count == 0
    assert state.tick() == 1
    assert state.tick(5) == 6


def test_reset_goes_back_to_zero_and_says_when() -> None:
    """Reset zeroes the count at the time given; later ticks count from there."""
    state = RunState()
    state.tick(7)
    state.reset(1_234)
    assert (state.count, state.reset_ns) == (0, 1_234)
    assert state.tick(2) == 2


def test_negative_expirations_are_refused() -> None:
    """A timer never un-expires; a negative count is a bug upstream."""
    with pytest.raises(ValueError):
        RunState().tick(-1)


@given(st.lists(st.one_of(st.integers(0, 10**6), st.none())))
def test_count_is_the_sum_since_the_last_reset(steps: list[int | None]) -> None:
    """Any mix of ticks (ints) and resets (None) ends at the sum after the last reset."""
    state = RunState()
    for step in steps:
        if step is None:
            state.reset(0)
        else:
            state.tick(step)
    tail = steps[len(steps) - steps[::-1].index(None):] if None in steps else steps
    assert state.count == sum(s for s in tail if s is not None)
