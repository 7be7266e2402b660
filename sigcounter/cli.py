"""``sig-counter``: command line in, exit status out.

Parses the options, opens what they name, sets the process's identity and
the instruments, then hands over to ``serve``. Start-up imports only what
the plain run needs (the instruments, json and cProfile load when their
options ask for them), and a missing native module or python-prctl becomes a
one-line error, not a traceback.
"""

from __future__ import annotations

import sys

from sigcounter import __version__
from sigcounter.kernel.lean import TYPE_CHECKING, prctl_module
from sigcounter.options import HELP, PROG, Options, UsageError, parse_args
from sigcounter.stdfds import ClosedStdout, say, secure_standard_fds

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO, Any

    from sigcounter.instruments.observer import Observer
    from sigcounter.instruments.stats import Stats


def _set_identity() -> None:
    """comm = sig-counter (for perf trace, pgrep, top), and no_new_privs."""
    try:
        prctl: Any = prctl_module()
    except ImportError as exc:
        raise ImportError(
            f"python-prctl is missing ({exc}): install it with `pip install python-prctl` "
            "(it builds against libcap-dev), or run ./dev.sh run"
        ) from exc
    prctl.prctl(prctl.PR_SET_NAME, PROG)
    prctl.prctl(prctl.PR_SET_NO_NEW_PRIVS, 1)


def _version() -> str:
    """The version, and whether this build carries the USDT probes."""
    try:
        from sigcounter.kernel.probes import build_note
    except ImportError:
        return f"{PROG} {__version__} (native module not built)"
    return f"{PROG} {__version__} ({build_note()})"


def _open_outputs(options: Options) -> tuple[IO[str] | None, IO[bytes] | None]:
    """Open --trace and --cpuprofile now, so a bad path fails before the run."""
    trace = profile = None
    try:
        if options.trace:
            trace = open(options.trace, "w", encoding="utf-8")  # noqa: SIM115 - lives for the run
        if options.cpuprofile:
            profile = open(options.cpuprofile, "wb")  # noqa: SIM115 - written at shutdown
    except OSError as exc:
        if trace is not None:
            trace.close()
        raise UsageError(f"cannot open {exc.filename!r}: {exc.strerror}") from None
    return trace, profile


def _instruments(options: Options, trace: IO[str] | None) -> tuple[Observer | None, Stats | None]:
    """The observer for the loop (None: no instrument calls at all) and the stats."""
    observers: list[Observer] = []
    stats = None
    if options.stats:
        from sigcounter.instruments.stats import Stats

        stats = Stats()
        observers.append(stats)
    if trace is not None:
        from sigcounter.instruments.tracefile import TraceWriter

        observers.append(TraceWriter(trace))
    if len(observers) <= 1:
        return (observers[0] if observers else None), stats
    from sigcounter.instruments.observer import Observers

    return Observers(observers), stats


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return its exit status."""
    try:
        # Before anything is opened, so that nothing of ours lands on fd 0-2.
        secure_standard_fds()
    except ClosedStdout as exc:
        say(f"{PROG}: error: {exc}")
        return 1
    try:
        options = parse_args(list(sys.argv[1:] if argv is None else argv))
        if options.help or options.version:
            say(HELP.rstrip("\n") if options.help else _version(), fd=1)
            return 0
        trace, profile = _open_outputs(options)
    except UsageError as exc:
        say(f"{PROG}: error: {exc} (see --help)")
        return 2
    try:
        # The native module first: on another system, "needs Linux" is the
        # one thing worth saying.
        from sigcounter.kernel import native  # noqa: F401
        _set_identity()
        observer, stats = _instruments(options, trace)
    except ImportError as exc:
        say(f"{PROG}: error: {exc}")
        return 1
    try:
        from sigcounter.serve import serve

        status = serve(options, observer, stats, profile)
    except KeyboardInterrupt:  # Ctrl-C before the signals were blocked
        return 130
    if trace is not None:
        trace.close()
    if stats is not None:
        say(stats.table().rstrip("\n"))
    return status

