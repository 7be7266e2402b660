"""Signal numbers and names, from the C headers.

sig-counter does not import the standard ``signal`` module: its IntEnums pull
in ``enum`` and friends, close to 1 MB of resident memory in a process whose
whole job is to sleep. The numbers here are the C headers' own, and the
library's public values are plain ints (``signal.Signals(n)`` gives the enum
to whoever wants it). The thread's mask is in sigset.py.
"""

from __future__ import annotations

from sigcounter.kernel.native import lib

NSIG = lib.NSIG
SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM = (
    lib.SIGHUP, lib.SIGINT, lib.SIGUSR1, lib.SIGUSR2, lib.SIGTERM,
)

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
