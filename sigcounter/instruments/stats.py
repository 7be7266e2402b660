"""``--stats``: what the loop did, summed up in a short table at shutdown."""

from __future__ import annotations

from collections import Counter

from sigcounter.instruments.histogram import Histogram
from sigcounter.instruments.observer import Observer
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.signals import signal_name

if TYPE_CHECKING:
    from sigcounter.events import Event
    from sigcounter.kernel.loopwait import SignalRecord, Wake


class Stats(Observer):
    """Counts and timing distributions, in bounded memory."""

    def __init__(self) -> None:
        self.start_ns = self.stopped_ns = 0
        self.ticks = self.wakeups = 0
        self.dropped_lines = 0  # lines stdout never took (set by the program at the end)
        self.syscalls: Counter[str] = Counter()
        self.signals: Counter[str] = Counter()
        self.lateness = Histogram()
        self.signal_dispatch = Histogram()

    def started(self, start_ns: int, interval_ns: int, tick_source: str) -> None:
        self.start_ns = start_ns

    def woke(self, wake: Wake, count: int, tick_emitted: bool) -> None:
        self.wakeups += 1
        self.syscalls["epoll_pwait"] += wake.epoll_waits
        self.syscalls["read"] += wake.reads
        self.syscalls["write"] += tick_emitted
        if wake.ticks:
            self.ticks += wake.ticks
            self.lateness.add(wake.lateness_ns)

    def dispatched(self, begin_ns: int, end_ns: int, event: Event, record: SignalRecord) -> None:
        self.signals[signal_name(record.signo)] += 1
        self.syscalls["write"] += 1
        self.signal_dispatch.add(end_ns - begin_ns)

    def stopped(self, at_ns: int) -> None:
        self.stopped_ns = at_ns

    def report(self) -> str:
        """The table, as lines for stderr."""
        def by_count(counts: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in counts.most_common()) or "none"

        run_time = (self.stopped_ns - self.start_ns) / 1e9
        lines = [
            "sig-counter stats",
            f"  run time          {run_time:.3f} s",
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


def _row(histogram: Histogram) -> str:
    def micros(value: int | None) -> str:
        return f"{value / 1000:9.1f}" if value is not None else f"{'-':>9}"

    cells = (histogram.percentile(50), histogram.percentile(99), histogram.max)
    return "".join(micros(v) for v in cells) + f"{histogram.count:>8}"
