"""What the options ask to watch besides the count: the instruments' files,
opened before the run without waiting on anybody, the observers the loop
tells, and what is said and returned when one of their outputs is lost."""

from __future__ import annotations

import os
import stat

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.options import PROG, Options, UsageError
from sigcounter.stdfds import say, write_all

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO

    from sigcounter.instruments.cpuprofile import CpuProfile
    from sigcounter.instruments.observer import Observer
    from sigcounter.instruments.stats import Stats
    from sigcounter.instruments.tracefile import TraceWriter


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


def open_outputs(options: Options) -> tuple[IO[str] | None, IO[bytes] | None]:
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
    def say_lost(exc: OSError) -> None:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        say(f"{PROG}: {option} {path}: {reason}; {consequence}")

    return say_lost


class Instruments:
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
        if self.stats is not None and (reason := write_all(2, self.stats.table())):
            say(f"{PROG}: --stats: cannot write the table to stderr: {reason}")
            lost = True
        return (status or 1) if lost else status


def _one_observer(observers: list[Observer]) -> Observer | None:
    if len(observers) <= 1:
        return observers[0] if observers else None
    from sigcounter.instruments.observer import Observers

    return Observers(observers)
