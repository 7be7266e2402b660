"""What the options ask to watch besides the count: the observers the loop
tells, what is said and returned when one of their outputs is lost, and
nothing at all from a run refused before it started (no --stats table, no
file left behind). The files are opened by ``sigcounter.outputs``."""

from __future__ import annotations

import os

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.options import PROG, Options
from sigcounter.shown import shown
from sigcounter.stdfds import say, write_all

if TYPE_CHECKING:
    from collections.abc import Callable

    from sigcounter.instruments.cpuprofile import CpuProfile
    from sigcounter.instruments.observer import Observer
    from sigcounter.instruments.stats import Stats
    from sigcounter.instruments.tracefile import TraceWriter
    from sigcounter.outputs import Outputs


def _lost(option: str, path: str, consequence: str) -> Callable[[OSError], None]:
    """The one stderr line for an instrument's output that failed, in the errno's
    own words (a buffered file's EAGAIN comes with words of its own)."""
    def say_lost(exc: OSError) -> None:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        say(f"{PROG}: {option} {shown(path)}: {reason}; {consequence}")

    return say_lost


class Instruments:
    """What the options asked to watch: the observer the loop tells (None: no
    instrument calls at all), the stats, and the files written."""

    def __init__(self, options: Options, outputs: Outputs):
        observers: list[Observer] = []
        self._outputs = outputs
        trace, profile = outputs.trace, outputs.profile
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
        output asked for was lost (each loss was said when it happened). A run
        refused before its loop started (its pidfile held, EMFILE) prints no
        table and leaves no file it created: its error is all it says."""
        lost = False
        if self.trace is not None:
            self.trace.close()
            lost = self.trace.error is not None
            if not self.trace.claimed:
                self._outputs.discard_unused("--trace")
        if self.profile is not None:
            lost = lost or self.profile.error is not None
            if not self.profile.claimed:
                self._outputs.discard_unused("--cpuprofile")
        if self.stats is not None and self.stats.start_ns is not None and (
                reason := write_all(2, self.stats.table())):
            say(f"{PROG}: --stats: cannot write the table to stderr: {reason}")
            lost = True
        return (status or 1) if lost else status


def _one_observer(observers: list[Observer]) -> Observer | None:
    if len(observers) <= 1:
        return observers[0] if observers else None
    from sigcounter.instruments.observer import Observers

    return Observers(observers)
