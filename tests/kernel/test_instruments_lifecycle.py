"""An instrument's life: told it starts, told each wake-up (an observer only),
told the run is over, when it gives its own report; one report failing loses
no other."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from support import in_child

from sigcounter.attach import Instruments
from sigcounter.instruments.observer import Instrument, Observer
from sigcounter.instruments.stats import Stats
from sigcounter.kernel.loopwait import Wake
from sigcounter.loop import TickLoop
from sigcounter.options import Options, parse_args
from sigcounter.outputs import Outputs, open_outputs

if TYPE_CHECKING:
    from sigcounter.attach import Attacher

MS = 1_000_000
Log = list[str]


class Told(Observer):
    """Writes each hook's name, tagged with its own, to a shared log."""

    def __init__(self, tag: str, log: Log) -> None:
        self.tag, self.log = tag, log

    def _told(self, hook: str) -> None:
        self.log.append(f"{self.tag}.{hook}")

    def start(self) -> None:
        self._told("start")

    def started(self, *args: Any) -> None:
        self._told("started")

    def woke(self, wake: Wake, count: int) -> None:
        self._told("woke")
        if count >= 3 and f"{self.tag}.dispatched" not in self.log:
            os.kill(os.getpid(), signal.SIGTERM)

    def dispatched(self, *args: Any) -> None:
        self._told("dispatched")

    def wake_done(self) -> None:
        self._told("wake_done")

    def stopped(self, at_ns: int) -> None:
        self._told("stopped")

    def finish(self) -> bool:
        self._told("finish")
        return True


class ToldAtEnds(Instrument):
    """An instrument that is no observer: it logs its start and its finish."""

    def __init__(self, log: Log, report: bool | Exception = True) -> None:
        self.log, self.report = log, report

    def start(self) -> None:
        self.log.append("plain.start")

    def finish(self) -> bool:
        self.log.append("plain.finish")
        if isinstance(self.report, Exception):
            raise self.report
        return self.report


def _attaching(*made: Instrument) -> tuple[Attacher, ...]:
    return tuple((lambda _options, _outputs, each=each: each) for each in made)


def _instruments(*made: Instrument, argv: list[str] | None = None) -> Instruments:
    return Instruments(parse_args(argv or []), Outputs([]), _attaching(*made))


def _run_told() -> Log:
    """Two observers and a plain instrument over a real loop of 1 ms ticks,
    stopped by a SIGTERM after three ticks."""
    log: Log = []
    instruments = _instruments(Told("a", log), ToldAtEnds(log), Told("b", log))
    with TickLoop(MS) as loop:
        instruments.start()
        loop.run(lambda _event: None, instruments.observer)
    log.append(f"status {instruments.finish(0)}")
    return log


def test_each_hook_is_called_in_order() -> None:
    """start for all, then each wake-up's woke..wake_done in attach order, the
    dispatch, stopped, and finish for all in the reverse order; the plain
    instrument hears only start and finish."""
    log = in_child(_run_told)
    assert log[:4] == ["a.start", "plain.start", "b.start", "a.started"]
    assert log[-6:] == ["a.stopped", "b.stopped", "b.finish", "plain.finish", "a.finish",
                        "status 0"]
    assert not {entry for entry in log if entry.startswith("plain.")} - {
        "plain.start", "plain.finish"}
    wake_ups = log[log.index("b.started") + 1:log.index("a.stopped")]
    assert wake_ups[-4:] == ["a.woke", "b.woke", "a.dispatched", "b.dispatched"]
    for first in range(0, len(wake_ups) - 4, 4):  # every wake-up but the last one ends
        assert wake_ups[first:first + 4] == ["a.woke", "b.woke", "a.wake_done", "b.wake_done"]
    assert wake_ups.count("a.woke") >= 2


def test_a_failing_report_does_not_lose_another() -> None:
    """A report lost (False) and one that raises: the others still report, the
    status becomes 1, and the exception comes after them all."""
    log: Log = []
    lost = _instruments(ToldAtEnds(log), ToldAtEnds(log, report=False), ToldAtEnds(log))
    assert lost.finish(0) == 1 and log.count("plain.finish") == 3
    log.clear()
    broken = _instruments(ToldAtEnds(log), ToldAtEnds(log, report=OSError(5, "EIO")),
                          ToldAtEnds(log))
    with pytest.raises(OSError, match="EIO"):
        broken.finish(0)
    assert log.count("plain.finish") == 3


def test_the_stats_table_is_the_stats_report() -> None:
    """--stats gives its table to its report at the run's end, and nothing from a
    run whose loop never started."""
    reports: list[str] = []

    def report(text: str) -> bool:
        reports.append(text)
        return True

    refused = Stats(report)
    assert refused.finish() and reports == []
    ran = Stats(report)
    ran.started(0, MS, "timerfd", 0)
    ran.stopped(2 * MS)
    assert ran.finish() and reports == [ran.table()]


def test_no_observer_unless_one_watches_the_loop(tmp_path: Path) -> None:
    """The plain run attaches nothing; --cpuprofile alone is no observer, so the
    loop is not told at all; a refused run leaves no file it created."""
    plain = _instruments()
    assert (plain.all, plain.observer, plain.stats) == ([], None, None)
    profile = tmp_path / "cpu.prof"
    options: Options = parse_args(["--cpuprofile", str(profile), "--stats"])
    instruments = Instruments(options, open_outputs(options))
    assert [type(each).__name__ for each in instruments.all] == ["Stats", "CpuProfile"]
    assert instruments.observer is instruments.stats
    assert profile.exists()
    assert instruments.finish(0) == 0  # never started: no table, no profile
    assert not profile.exists()
