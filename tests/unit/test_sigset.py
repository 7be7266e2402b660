"""Sigset: signal numbers in, a C sigset_t out, with Python's set manners."""

from __future__ import annotations

import signal

import pytest

from sigcounter.kernel.sigset import Sigset


def test_membership_comes_from_the_c_set() -> None:
    """sigismember sees exactly the signals added."""
    signals = Sigset([signal.SIGUSR1, signal.SIGTERM])
    assert signal.SIGUSR1 in signals and signal.SIGTERM in signals
    assert signal.SIGUSR2 not in signals
    assert 0 not in signals and "SIGUSR1" not in signals


def test_iteration_is_sorted_and_named() -> None:
    """Iterating gives the signal numbers in order; len counts them; repr names them."""
    signals = Sigset([signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR1])
    assert list(signals) == [signal.SIGUSR1, signal.SIGTERM]
    assert len(signals) == 2
    assert repr(signals) == "Sigset({SIGUSR1, SIGTERM})"


def test_realtime_signals_are_accepted() -> None:
    """A real-time signal without a name is kept as its number."""
    signals = Sigset([signal.SIGRTMIN + 1])
    assert signal.SIGRTMIN + 1 in signals


def test_equality_and_hash_follow_the_members() -> None:
    """Two sets of the same signals are equal and hash alike."""
    assert Sigset([10, 12]) == Sigset([12, 10])
    assert hash(Sigset([10, 12])) == hash(Sigset([12, 10]))
    assert Sigset([10]) != Sigset([12])


@pytest.mark.parametrize("bad", [0, -1, signal.NSIG, 1000])
def test_out_of_range_signal_is_a_value_error(bad: int) -> None:
    """Numbers outside 1..NSIG-1 are refused before reaching C."""
    with pytest.raises(ValueError, match="out of range"):
        Sigset([bad])


def test_non_integer_signal_is_a_type_error() -> None:
    """Names and booleans are not signal numbers."""
    with pytest.raises(TypeError):
        Sigset(["SIGUSR1"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Sigset([True])
