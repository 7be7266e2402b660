"""Signal numbers, names and the thread's signal mask, from the native module.

sig-counter does not import the standard ``signal`` module: its IntEnums pull
in ``enum`` and friends, close to 1 MB of resident memory in a process whose
whole job is to sleep. The numbers here are the C headers' own, and the
library's public values are plain ints (``signal.Signals(n)`` gives the enum
to whoever wants it).
"""

from __future__ import annotations

import os

from sigcounter.native import ffi, lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable

NSIG = lib.NSIG
SIGINT, SIGUSR1, SIGUSR2, SIGTERM = lib.SIGINT, lib.SIGUSR1, lib.SIGUSR2, lib.SIGTERM

_STANDARD = (
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
    "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
)
NAMES: dict[int, str] = {getattr(lib, name): name for name in _STANDARD}


def signal_name(signo: int) -> str:
    """SIGUSR1 for 10; a signal without a name (a real-time one) as SIG34."""
    return NAMES.get(signo) or f"SIG{signo}"


def validate_signal(signum: int) -> int:
    """``signum`` itself, if it is a signal number; TypeError or ValueError if not."""
    if not isinstance(signum, int) or isinstance(signum, bool):
        raise TypeError(f"signal must be an int, not {type(signum).__name__}")
    if not 0 < signum < NSIG:
        raise ValueError(f"signal number out of range 1..{NSIG - 1}: {signum}")
    return int(signum)


def block(signals: Iterable[int]) -> set[int]:
    """Add ``signals`` to this thread's blocked set; return the set blocked before."""
    from sigcounter.sigset import Sigset  # sigset imports this module

    old = ffi.new("sigset_t *")
    _check(lib.pthread_sigmask(lib.SIG_BLOCK, Sigset(signals).cdata, old))
    return {signum for signum in range(1, NSIG) if lib.sigismember(old, signum) == 1}


def _check(result: int) -> None:
    # pthread_sigmask returns the error number instead of setting errno.
    if result != 0:
        raise OSError(result, os.strerror(result))
