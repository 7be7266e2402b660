"""``--stats``: what the loop did, summed up in a short table at shutdown."""

from __future__ import annotations

from collections import Counter

from sigcounter.histogram import Histogram
from sigcounter.observer import Observer
from sigcounter.signals import signal_name

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from sigcounter.events import Event
    from sigcounter.signalfd import SigInfo


class Stats(Observer):
    """Counts and timing distributions, in bounded memory."""

    def __init__(self) -> None:
        self.started_ns = self.stopped_ns = 0
        self.ticks = self.wakeups = 0
        self._reads_per_tick = True
        self.syscalls: Counter[str] = Counter()
        self.signals: Counter[str] = Counter()
        self.lateness = Histogram()
        self.tick_dispatch = Histogram()
        self.signal_dispatch = Histogram()

    def started(self, armed_ns: int, interval_ns: int, tick_source: str) -> None:
        self.started_ns = armed_ns
        self._reads_per_tick = tick_source == "timerfd"  # the timeout source reads nothing

    def waited(self, begin_ns: int, end_ns: int, ready: int, interrupted: int) -> None:
        self.wakeups += 1
        self.syscalls["epoll_pwait"] += 1 + interrupted

    def ticked(
        self, begin_ns: int, end_ns: int, expirations: int, count: int, lateness_ns: int,
        emitted: bool,
    ) -> None:
        self.ticks += expirations
        self.syscalls["read"] += self._reads_per_tick
        self.syscalls["write"] += emitted
        self.lateness.add(lateness_ns)
        self.tick_dispatch.add(end_ns - begin_ns)

    def signals_read(self, at_ns: int, records: int) -> None:
        self.syscalls["read"] += 1

    def dispatched(self, begin_ns: int, end_ns: int, info: SigInfo, event: Event) -> None:
        self.signals[signal_name(info.signo)] += 1
        self.syscalls["write"] += 1
        self.signal_dispatch.add(end_ns - begin_ns)

    def stopped(self, at_ns: int) -> None:
        self.stopped_ns = at_ns

    def report(self) -> str:
        """The table, as lines for stderr."""
        def by_count(counts: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in counts.most_common()) or "none"

        run_time = (self.stopped_ns - self.started_ns) / 1e9
        lines = [
            "sig-counter stats",
            f"  run time          {run_time:.3f} s",
            f"  ticks             {self.ticks}",
            f"  wake-ups          {self.wakeups}",
            f"  syscalls          {by_count(self.syscalls)}",
            f"  signals           {by_count(self.signals)}",
            f"  {'(µs)':<18}{'p50':>9}{'p99':>9}{'max':>9}{'n':>8}",
        ]
        for label, histogram in (
            ("tick lateness", self.lateness),
            ("tick dispatch", self.tick_dispatch),
            ("signal dispatch", self.signal_dispatch),
        ):
            lines.append(f"  {label:<18}{_row(histogram)}")
        return "\n".join(lines) + "\n"


def _row(histogram: Histogram) -> str:
    def micros(value: int | None) -> str:
        return f"{value / 1000:9.1f}" if value is not None else f"{'-':>9}"

    cells = (histogram.percentile(50), histogram.percentile(99), histogram.max)
    return "".join(micros(v) for v in cells) + f"{histogram.count:>8}"
