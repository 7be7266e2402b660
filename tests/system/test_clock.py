"""Every tick, whatever clock the process reads: under a clock faker
(faketime(1), whose LD_PRELOAD library offsets the process's own clock reads
and can speed them up) and in a time namespace (``unshare --time``, whose
CLOCK_MONOTONIC is offset for every process in it), with both tick sources.
The count follows the clock the program sees: a faker at ``x2`` makes every
interval half as long, in the program's clock reads and its timers alike.

Both wrappers fork, so the program is the wrapper's one child; its ready line
names its PID, and the signals go there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from support import COUNT, DEADLINE, READY, SIG_COUNTER, Running, poll_until
from support.proctree import kill_tree, only_child, state

from sigcounter.kernel.constants import TICK_SOURCES

INTERVAL = 0.05
STOPPED_S = 0.5
OFFSET_S = 100_000  # the time namespace's CLOCK_MONOTONIC offset
# (wrapper before the command, how many of the program's seconds pass per real one)
CLOCKS = {
    "faketime +100d": (("faketime", "-f", "+100d"), 1),
    "faketime +100d x2": (("faketime", "-f", "+100d x2"), 2),
    "unshare --time": (("unshare", "--time", f"--monotonic={OFFSET_S}", "--fork",
                        "--kill-child"), 1),
}


def _usable(wrapper: tuple[str, ...]) -> None:
    """Skip, saying why, where this wrapper cannot run here."""
    if shutil.which(wrapper[0]) is None:
        pytest.skip(f"{wrapper[0]} is not installed (./dev.sh test installs faketime)")
    if wrapper[0] != "unshare":
        return
    probe = subprocess.run([*wrapper, "cat", "/proc/self/timens_offsets"], capture_output=True,
                           text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL, check=False)
    if probe.returncode != 0 or str(OFFSET_S) not in probe.stdout:
        pytest.skip("no time namespace here (it needs root and a kernel with CONFIG_TIME_NS): "
                    f"{probe.stderr.strip()}")


@pytest.fixture
def started() -> Iterator[list[Running]]:
    """The wrapped runs; each wrapper and all below it killed by PID in teardown."""
    runs: list[Running] = []
    yield runs
    for run in runs:
        kill_tree(run.pid)
        run.stop()


def _start(runs: list[Running], wrapper: tuple[str, ...], tick_source: str) -> tuple[Running, int]:
    """sig-counter under ``wrapper``, ready; the run and the program's own PID."""
    runs.append(Running("--interval", f"{INTERVAL}", "--tick-source", tick_source,
                        program=(*wrapper, str(SIG_COUNTER))))
    pid = only_child(runs[-1].pid)
    match = READY.match(line := runs[-1].err_line())
    assert match and int(match[1]) == pid, f"not its ready line: {line!r}"
    return runs[-1], pid


def _ask(run: Running, pid: int) -> tuple[int, float, float]:
    """The count, with when the SIGUSR1 was sent and when the answer was read: the
    count was taken somewhere between the two."""
    sent = time.monotonic()
    os.kill(pid, signal.SIGUSR1)
    line, read_ns = run.timed_line()
    match = COUNT.match(line.decode())
    assert match, f"not a count: {line!r}"
    return int(match[1]), sent, read_ns / 1e9


@pytest.mark.parametrize("tick_source", TICK_SOURCES)
@pytest.mark.parametrize("clock", CLOCKS)
def test_each_interval_of_the_programs_clock_is_counted(
    started: list[Running], clock: str, tick_source: str
) -> None:
    """Under an offset (and sped-up) clock, the count grows by one per interval of
    the clock the program reads, a SIGSTOP's time included."""
    wrapper, rate = CLOCKS[clock]
    _usable(wrapper)
    run, pid = _start(started, wrapper, tick_source)
    before, sent_before, read_before = _ask(run, pid)
    os.kill(pid, signal.SIGSTOP)
    poll_until(lambda: state(pid) == "T", what=f"{pid} stopped")
    time.sleep(STOPPED_S)  # the stop's length is what is measured, not a wait for an event
    os.kill(pid, signal.SIGCONT)
    after, sent_after, read_after = _ask(run, pid)
    # The two counts were taken within these bounds of each other (real seconds).
    least, most = sent_after - read_before, read_after - sent_before
    assert rate * least / INTERVAL - 1 <= after - before <= rate * most / INTERVAL + 1, (
        f"{after - before} ticks in {least:.3f}-{most:.3f} s at {rate}x")
    os.kill(pid, signal.SIGTERM)
    assert run.line().startswith(b"received terminated")
    assert run.wait_exit() == 0
