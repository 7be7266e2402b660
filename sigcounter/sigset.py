"""Sigset: a ``sigset_t`` built once from signal numbers, for the calls that
take one (``signalfd``'s mask, ``epoll_pwait``'s temporary mask)."""

from __future__ import annotations

import signal
from collections.abc import Iterable, Iterator
from typing import Any

from sigcounter._fd import check
from sigcounter.native import ffi, lib


def validate_signal(signum: int) -> signal.Signals | int:
    """Return ``signum`` as a ``signal.Signals`` where it has a name."""
    if not isinstance(signum, int) or isinstance(signum, bool):
        raise TypeError(f"signal must be an int, not {type(signum).__name__}")
    if not 0 < signum < signal.NSIG:
        raise ValueError(f"signal number out of range 1..{signal.NSIG - 1}: {signum}")
    try:
        return signal.Signals(signum)
    except ValueError:  # a real-time signal without a name of its own
        return signum


class Sigset:
    """An immutable set of signals backed by a C ``sigset_t``."""

    def __init__(self, signals: Iterable[int] = ()) -> None:
        self._signals = frozenset(validate_signal(s) for s in signals)
        self._cdata = ffi.new("sigset_t *")
        check(lib.sigemptyset(self._cdata))
        for signum in self._signals:
            check(lib.sigaddset(self._cdata, signum))

    @property
    def cdata(self) -> Any:
        """The ``sigset_t *`` to hand to a native call; valid while self lives."""
        return self._cdata

    def __contains__(self, signum: object) -> bool:
        if not isinstance(signum, int) or not 0 < signum < signal.NSIG:
            return False
        return bool(check(lib.sigismember(self._cdata, signum)))

    def __iter__(self) -> Iterator[signal.Signals | int]:
        return iter(sorted(self._signals))

    def __len__(self) -> int:
        return len(self._signals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sigset) and self._signals == other._signals

    def __hash__(self) -> int:
        return hash(self._signals)

    def __repr__(self) -> str:
        names = ", ".join(getattr(s, "name", str(s)) for s in self)
        return f"Sigset({{{names}}})"
