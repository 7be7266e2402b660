"""The instruments a run's options attach (``--stats``, ``--trace``,
``--cpuprofile``), each made by one function of ``ATTACHERS``, and the
run's end: every instrument gives its own report (``Instrument.finish``),
and a lost one makes the exit status 1. A run refused before its loop
started reports nothing (no --stats table) and leaves no file it created.
The files are opened before, by ``sigcounter.outputs``.
"""

from __future__ import annotations

import os

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.options import PROG, Options
from sigcounter.shown import shown
from sigcounter.stdfds import say, write_all

if TYPE_CHECKING:
    from collections.abc import Callable

    from sigcounter.instruments.observer import Instrument, Observer
    from sigcounter.instruments.stats import Stats
    from sigcounter.outputs import Outputs

    Attacher = Callable[[Options, Outputs], Instrument | None]


def _lost(option: str, path: str, consequence: str) -> Callable[[OSError], None]:
    """The one stderr line for an instrument's output that failed, in the errno's
    own words (a buffered file's EAGAIN comes with words of its own)."""
    def say_lost(exc: OSError) -> None:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        say(f"{PROG}: {option} {shown(path)}: {reason}; {consequence}")

    return say_lost


def _on_stderr(option: str) -> Callable[[str], bool]:
    """A report's text written to stderr; a failure to is said in one line."""
    def report(text: str) -> bool:
        reason = write_all(2, text)
        if reason is not None:
            say(f"{PROG}: {option}: cannot write its report to stderr: {reason}")
        return reason is None

    return report


def _stats(options: Options, outputs: Outputs) -> Instrument | None:
    if not options.stats:
        return None
    from sigcounter.instruments.stats import Stats

    return Stats(_on_stderr("--stats"))


def _trace(options: Options, outputs: Outputs) -> Instrument | None:
    if outputs.trace is None or not options.trace:
        return None
    from sigcounter.instruments.tracefile import TraceWriter

    return TraceWriter(outputs.trace, _lost("--trace", options.trace, "trace off, counting on"),
                       lambda: outputs.discard_unused("--trace"))


def _cpuprofile(options: Options, outputs: Outputs) -> Instrument | None:
    if outputs.profile is None or not options.cpuprofile:
        return None
    from sigcounter.instruments.cpuprofile import CpuProfile

    return CpuProfile(outputs.profile, _lost("--cpuprofile", options.cpuprofile,
                                             "no profile written"),
                      lambda: outputs.discard_unused("--cpuprofile"))


# Each makes its instrument when the options ask for it (its module is
# imported only then); they finish in the reverse order.
ATTACHERS: tuple[Attacher, ...] = (_stats, _trace, _cpuprofile)


class Instruments:
    """What the options asked to watch: every instrument, the observer the
    loop tells (None: no instrument calls at all), and the --stats table's
    counts, which other parts of the run add their system calls to."""

    def __init__(self, options: Options, outputs: Outputs,
                 attachers: tuple[Attacher, ...] = ATTACHERS) -> None:
        self.all = [made for attach in attachers if (made := attach(options, outputs))]
        self.observer = _one_observer(self.all)
        self.stats = _the_stats(self.all) if options.stats else None

    def start(self) -> None:
        """The loop is about to run: each instrument is told."""
        for instrument in self.all:
            instrument.start()

    def finish(self, status: int) -> int:
        """Each instrument's report, even when another's fails; ``status``, or 1
        when an output asked for was lost (each loss was said when it happened)."""
        lost, failure = False, None
        for instrument in reversed(self.all):
            try:
                lost = not instrument.finish() or lost
            except Exception as exc:  # the others still report; this is raised after
                failure = failure or exc
        if failure is not None:
            raise failure
        return (status or 1) if lost else status


def _the_stats(instruments: list[Instrument]) -> Stats | None:
    from sigcounter.instruments.stats import Stats

    return next((each for each in instruments if isinstance(each, Stats)), None)


def _one_observer(instruments: list[Instrument]) -> Observer | None:
    if not instruments:  # the plain run: not even the observer module is imported
        return None
    from sigcounter.instruments.observer import Observer, Observers

    observers = [each for each in instruments if isinstance(each, Observer)]
    if len(observers) <= 1:
        return observers[0] if observers else None
    return Observers(observers)
