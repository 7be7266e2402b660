"""``sig-counter``: command line in, exit status out.

Parses the options, opens what they name, sets the process's identity and
the instruments, then hands over to ``serve``. Start-up imports only what
the plain run needs (the instruments, json and cProfile load when their
options ask for them), and a missing native module or python-prctl becomes a
one-line error, not a traceback.
"""

from __future__ import annotations

import os
import stat
import sys

from sigcounter import __version__
from sigcounter.kernel.lean import TYPE_CHECKING, prctl_module
from sigcounter.options import HELP, PROG, Options, UsageError, parse_args
from sigcounter.stdfds import ClosedStdout, say, secure_standard_fds

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import IO, Any

    from sigcounter.instruments.cpuprofile import CpuProfile
    from sigcounter.instruments.observer import Observer
    from sigcounter.instruments.stats import Stats
    from sigcounter.instruments.tracefile import TraceWriter


def _set_identity() -> None:
    """comm = sig-counter (for perf trace, pgrep, top), and no_new_privs."""
    try:
        prctl: Any = prctl_module()
    except ModuleNotFoundError as exc:
        raise ImportError(
            f"python-prctl is missing ({exc}): install it with `pip install python-prctl` "
            "(it builds against libcap-dev), or run ./dev.sh run"
        ) from exc
    except ImportError as exc:  # there, but its library would not load (short of memory, say)
        raise ImportError(f"python-prctl cannot be loaded: {exc}") from exc
    prctl.prctl(prctl.PR_SET_NAME, PROG)
    prctl.prctl(prctl.PR_SET_NO_NEW_PRIVS, 1)


def _version() -> str:
    """The version, and whether this build carries the USDT probes."""
    try:
        from sigcounter.kernel.probes import build_note
    except ImportError:
        return f"{PROG} {__version__} (native module not built)"
    return f"{PROG} {__version__} ({build_note()})"


def _write_all(fd: int, text: str) -> str | None:
    """``text`` written whole to ``fd``: None, or the error's words if it could not be."""
    data = memoryview(text.encode())
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _answer(text: str) -> int:
    """--help and --version: the text on stdout, status 0; when stdout does not
    take it, one line on stderr and status 2, as `ls --help >/dev/full` does."""
    reason = _write_all(1, text + "\n")
    if reason is None:
        return 0
    say(f"{PROG}: cannot write to stdout: {reason}")
    return 2


def _open_output(option: str, path: str) -> int:
    """The fd of --trace's or --cpuprofile's file, opened without waiting."""
    from sigcounter.instruments.outfile import NotAFile, open_output

    try:
        return open_output(path)
    except NotAFile as exc:
        raise UsageError(f"{option} {path}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror or exc}") from None


def _check_pidfile(path: str) -> None:
    """A --pidfile that names something other than a regular file (a FIFO, a
    device, a directory) is a usage error now; the claim, once ready, never
    opens it in a way that waits either (sigcounter/pidfile.py)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # absent, as it usually is; any other problem the claim reports
    if not stat.S_ISREG(mode):
        from sigcounter.instruments.outfile import kind

        raise UsageError(f"--pidfile {path}: {kind(mode)}, not a regular file")


def _open_outputs(options: Options) -> tuple[IO[str] | None, IO[bytes] | None]:
    """Open --trace and --cpuprofile now, so a bad path fails before the run."""
    trace = profile = None
    try:
        if options.pidfile:
            _check_pidfile(options.pidfile)
        if options.trace:
            trace = open(_open_output("--trace", options.trace), "w", encoding="utf-8")  # noqa: SIM115
        if options.cpuprofile:
            profile = open(_open_output("--cpuprofile", options.cpuprofile), "wb")  # noqa: SIM115
    except UsageError:
        if trace is not None:
            trace.close()
        raise
    return trace, profile


def _lost(option: str, path: str, consequence: str) -> Callable[[OSError], None]:
    """The one stderr line for an instrument's output that failed, in the errno's
    own words (a buffered file's EAGAIN comes with words of its own)."""
    def report(exc: OSError) -> None:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        say(f"{PROG}: {option} {path}: {reason}; {consequence}")

    return report


class _Instruments:
    """What the options asked to watch: the observer the loop tells (None: no
    instrument calls at all), the stats, and the files written."""

    def __init__(self, options: Options, trace: IO[str] | None, profile: IO[bytes] | None):
        observers: list[Observer] = []
        self.stats: Stats | None = None
        self.trace: TraceWriter | None = None
        self.profile: CpuProfile | None = None
        if options.stats:
            from sigcounter.instruments.stats import Stats

            self.stats = Stats()
            observers.append(self.stats)
        if trace is not None and options.trace:
            from sigcounter.instruments.tracefile import TraceWriter

            self.trace = TraceWriter(trace, _lost("--trace", options.trace,
                                                  "trace off, counting on"))
            observers.append(self.trace)
        if profile is not None and options.cpuprofile:
            from sigcounter.instruments.cpuprofile import CpuProfile

            self.profile = CpuProfile(profile, _lost("--cpuprofile", options.cpuprofile,
                                                     "no profile written"))
        self.observer = _one_observer(observers)

    def finish(self, status: int) -> int:
        """Close the trace, print the stats table; ``status``, or 1 when an
        output asked for was lost (each loss was said when it happened)."""
        lost = False
        if self.trace is not None:
            self.trace.close()
            lost = self.trace.error is not None
        if self.profile is not None and self.profile.error is not None:
            lost = True
        if self.stats is not None and (reason := _write_all(2, self.stats.table())):
            say(f"{PROG}: --stats: cannot write the table to stderr: {reason}")
            lost = True
        return (status or 1) if lost else status


def _one_observer(observers: list[Observer]) -> Observer | None:
    if len(observers) <= 1:
        return observers[0] if observers else None
    from sigcounter.instruments.observer import Observers

    return Observers(observers)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return its exit status."""
    try:
        options = parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        say(f"{PROG}: error: {exc} (see --help)")
        return 2
    if options.help or options.version:  # opens nothing: no need of the fd checks
        return _answer(HELP.rstrip("\n") if options.help else _version())
    try:
        # Before anything is opened, so that nothing of ours lands on fd 0-2.
        secure_standard_fds()
    except ClosedStdout as exc:
        say(f"{PROG}: error: {exc}")
        return 1
    try:
        trace, profile = _open_outputs(options)
    except UsageError as exc:
        say(f"{PROG}: error: {exc} (see --help)")
        return 2
    try:
        # The native module first: on another system, "needs Linux" is the
        # one thing worth saying.
        from sigcounter.kernel import native  # noqa: F401
        _set_identity()
        instruments = _Instruments(options, trace, profile)
    except ImportError as exc:
        say(f"{PROG}: error: {exc}")
        return 1
    try:
        from sigcounter.serve import serve

        status = serve(options, instruments.observer, instruments.stats, instruments.profile)
    except KeyboardInterrupt:  # Ctrl-C before the signals were blocked
        return 130
    return instruments.finish(status)
