"""Sigset: a ``sigset_t`` built once from signal numbers, for the calls that
take one (``signalfd``'s mask, ``sigprocmask``, ``epoll_pwait``'s mask);
and the calling thread's signal mask."""

from __future__ import annotations

from sigcounter.kernel.fd import check
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.signals import NSIG, signal_name, validate_signal

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any


class Sigset:
    """An immutable set of signal numbers backed by a C ``sigset_t``."""

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
        if not isinstance(signum, int) or not 0 < signum < NSIG:
            return False
        return bool(check(lib.sigismember(self._cdata, signum)))

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._signals))

    def __len__(self) -> int:
        return len(self._signals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sigset) and self._signals == other._signals

    def __hash__(self) -> int:
        return hash(self._signals)

    def __repr__(self) -> str:
        return f"Sigset({{{', '.join(signal_name(s) for s in self)}}})"


def block(signals: Iterable[int]) -> set[int]:
    """Block ``signals`` in the calling thread (``sigprocmask(SIG_BLOCK)``, which
    on Linux is ``pthread_sigmask``: see native/cdef.h); return the set that
    thread had blocked before."""
    old = ffi.new("sigset_t *")
    check(lib.sigprocmask(lib.SIG_BLOCK, Sigset(signals).cdata, old))
    return {signum for signum in range(1, NSIG) if lib.sigismember(old, signum) == 1}
