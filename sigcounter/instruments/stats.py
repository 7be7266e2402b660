"""``--stats``: what the loop did, summed up in a short table.

The table is the instrument's report, given at the run's end (``finish``) to
the ``report`` it was made with; ``table()`` is right at any moment of a run
too (its run time runs up to now until the loop stops).
"""

from __future__ import annotations

import time
from collections import Counter

from sigcounter.instruments.histogram import Histogram
from sigcounter.instruments.observer import Observer
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.signals import signal_name

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sigcounter.kernel.loopwait import Wake
    from sigcounter.kernel.siginfo import SigInfo


class Stats(Observer):
    """Counts and timing distributions, in bounded memory. ``report`` prints
    the table at the run's end and says whether it was written (it says any
    failure itself); without one, the table is only read by ``table()``."""

    def __init__(self, report: Callable[[str], bool] | None = None) -> None:
        self._report = report
        self.start_ns: int | None = None  # None until the loop starts
        self.stopped_ns: int | None = None  # None while it runs
        self.ticks = self.wakeups = 0
        self._dropped: Callable[[], int] = _none  # lines stdout never took, so far
        self.wait_calls: Counter[str] = Counter()  # the native wait's epoll_pwait and read
        self.signals: Counter[str] = Counter()
        self.lateness = Histogram()
        self.signal_dispatch = Histogram()
        self._call_counts: list[Mapping[str, int]] = []

    def add_call_source(self, counts: Mapping[str, int]) -> None:
        """Add the system calls another part of the program makes (its writes,
        its sends) to the table: ``counts``, by name, is kept up to date by
        its owner and read whenever the table is made."""
        self._call_counts.append(counts)

    def set_dropped_source(self, dropped: Callable[[], int]) -> None:
        """Where the table reads how many lines stdout never took, so far."""
        self._dropped = dropped

    @property
    def dropped_lines(self) -> int:
        return self._dropped()

    @property
    def syscalls(self) -> Counter[str]:
        """Every system call counted so far, by name."""
        total = Counter(self.wait_calls)
        for counts in self._call_counts:
            total.update(counts)
        return total

    def started(self, start_ns: int, interval_ns: int, tick_source: str, count: int) -> None:
        self.start_ns = start_ns

    def woke(self, wake: Wake, count: int) -> None:
        self.wakeups += 1
        self.wait_calls["epoll_pwait"] += wake.epoll_waits
        self.wait_calls["read"] += wake.reads
        if wake.ticks:
            self.ticks += wake.ticks
            self.lateness.add(wake.lateness_ns)

    def dispatched(self, info: SigInfo, kind: str, count: int, end_ns: int) -> None:
        self.signals[signal_name(info.signo)] += 1
        self.signal_dispatch.add(end_ns - info.read_ns)

    def stopped(self, at_ns: int) -> None:
        self.stopped_ns = at_ns

    def finish(self) -> bool:
        """The table, to ``report``: none from a run whose loop never started."""
        if self._report is None or self.start_ns is None:
            return True
        return self._report(self.table())

    def run_time_ns(self) -> int:
        """From the start of the ticks to the loop's end, or to now while it runs."""
        if self.start_ns is None:
            return 0
        end_ns = time.monotonic_ns() if self.stopped_ns is None else self.stopped_ns
        return end_ns - self.start_ns

    def table(self) -> str:
        """The table, as lines for stderr."""
        def by_count(counts: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in counts.most_common() if n) or "none"

        lines = [
            "sig-counter stats",
            f"  run time          {self.run_time_ns() / 1e9:.3f} s",
            f"  ticks             {self.ticks}",
            f"  wake-ups          {self.wakeups}",
            f"  syscalls          {by_count(self.syscalls)}",
            f"  signals           {by_count(self.signals)}",
            f"  dropped lines     {self.dropped_lines}",
            f"  {'(µs)':<18}{'p50':>9}{'p99':>9}{'max':>9}{'n':>8}",
        ]
        for label, histogram in (
            ("tick lateness", self.lateness),
            ("signal dispatch", self.signal_dispatch),
        ):
            lines.append(f"  {label:<18}{_row(histogram)}")
        return "\n".join(lines) + "\n"


def _none() -> int:
    return 0


def _row(histogram: Histogram) -> str:
    def micros(value: int | None) -> str:
        return f"{value / 1000:9.1f}" if value is not None else f"{'-':>9}"

    cells = (histogram.percentile(50), histogram.percentile(99), histogram.max)
    return "".join(micros(v) for v in cells) + f"{histogram.count:>8}"
