"""Epoll's timeout arithmetic: seconds to epoll_pwait's milliseconds, no kernel needed."""

from __future__ import annotations

import pytest

from sigcounter.kernel.epoll import _timeout_ms


@pytest.mark.parametrize(
    ("seconds", "milliseconds"),
    [(None, -1), (-1, -1), (0, 0), (0.0001, 1), (0.25, 250), (10**9, 2**31 - 1)],
)
def test_timeouts_round_up_to_milliseconds(seconds: float | None, milliseconds: int) -> None:
    """Seconds become epoll's ms, rounded up so a wait never ends early."""
    assert _timeout_ms(seconds) == milliseconds


def test_nan_timeout_is_refused() -> None:
    """NaN is not a timeout."""
    with pytest.raises(ValueError):
        _timeout_ms(float("nan"))
