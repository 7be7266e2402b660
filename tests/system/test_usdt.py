"""The USDT probes seen by bpftrace attached to a running sig-counter.

Needs root and bpftrace (./dev.sh test installs it); skipped only where BPF
cannot run at all. Every signal is sent by this test's own process, so the
probe must name this process as the sender.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import COUNT, DEADLINE, TERMINATED, Child, StartFn
from support.usdt import Bpftrace, require_bpf, require_probes, usdt

from sigcounter.kernel.probes import EXTENSION_PATH

AttachFn = Callable[[int, str], Bpftrace]
INTERVAL_NS = 20_000_000
INTERVAL = "0.02"
SI_USER = 0

# One line per firing: the probe's name, then its arguments.
SIGNAL = f'{usdt("signal")} {{ printf("signal %d %d %d %d\\n", arg0, arg1, arg2, arg3); }}'
TICK = f'{usdt("tick")} {{ printf("tick %d %d %d %llu\\n", arg0, arg1, arg2, nsecs); }}'
WAKE = f'{usdt("wake")} {{ printf("wake %d %d\\n", arg0, arg1); }}'
EMIT = f'{usdt("emit")} {{ printf("emit %d %d\\n", arg0, arg1); }}'


@pytest.fixture
def attach() -> Iterator[AttachFn]:
    """Attach bpftrace to a PID, waiting until its probes are in; detached in teardown."""
    require_probes()
    bpftrace = require_bpf()
    attached: list[Bpftrace] = []

    def start(pid: int, program: str) -> Bpftrace:
        tracer = Bpftrace.attach(bpftrace, pid, program)
        attached.append(tracer)
        return tracer

    yield start
    for tracer in attached:
        tracer.stop()


def _fired(tracer: Bpftrace, probe: str) -> list[int]:
    """The arguments of the next firing of ``probe``."""
    line = tracer.wait_for(lambda line: line.startswith(f"{probe} "), f"{probe} line")
    return [int(field) for field in line.split()[1:]]


def _all(tracer: Bpftrace, probe: str) -> list[list[int]]:
    """The arguments of every firing of ``probe`` read so far."""
    return [[int(field) for field in line.split()[1:]]
            for line in tracer.history if line.startswith(f"{probe} ")]


def test_signal_probe_names_this_process_as_the_sender(
    sig_counter: StartFn, attach: AttachFn
) -> None:
    """sigcounter:signal: signo 10, this test's pid and uid, SI_USER, for a kill(2) from here."""
    process = sig_counter("--interval", INTERVAL)
    pid = process.wait_ready()
    tracer = attach(pid, SIGNAL)
    os.kill(pid, signal.SIGUSR1)
    assert COUNT.match(process.line().decode())
    assert _fired(tracer, "signal") == [signal.SIGUSR1, os.getpid(), os.getuid(), SI_USER]


def test_tick_probe_fires_at_the_tick_rate_and_wake_around_each_wait(
    sig_counter: StartFn, attach: AttachFn
) -> None:
    """sigcounter:tick counts every tick at --interval 0.02 (arg2 adds up arg0, at the
    clock's rate, lateness >= 0); sigcounter:wake times each epoll_pwait that woke it."""
    process = sig_counter("--interval", INTERVAL)
    tracer = attach(process.wait_ready(), f"{TICK} {WAKE}")
    first = _fired(tracer, "tick")
    while (last := _fired(tracer, "tick"))[2] < first[2] + 50:
        pass
    ticks = _all(tracer, "tick")
    for before, after in itertools.pairwise(ticks):
        assert after[0] >= 1 and after[2] == before[2] + after[0], (before, after)
    assert all(0 <= lateness < 1_000_000_000 for _, lateness, _, _ in ticks), ticks
    # Ticks counted against the clock, both taken at the probe: within one tick.
    elapsed_ticks = (last[3] - first[3]) / INTERVAL_NS
    assert abs((last[2] - first[2]) - elapsed_ticks) <= 1.5, (first, last)
    wakes = _all(tracer, "wake")
    # Each wake-up is one epoll_pwait with the timerfd ready, asleep for about one period.
    assert len(wakes) >= len(ticks) - 2, (len(wakes), len(ticks))
    assert all(ready == 1 and 0 < waited < 1_000_000_000 for waited, ready in wakes), wakes
    sleeps = sorted(waited for waited, _ in wakes)
    assert INTERVAL_NS / 2 < sleeps[len(sleeps) // 2] <= INTERVAL_NS * 1.5, sleeps


# Needs loop.py to fire the emit probe after each line (see probes.py): until
# that is wired, this test fails on its first emit line.
def test_emit_probe_shows_the_kind_and_count_of_each_line(
    sig_counter: StartFn, attach: AttachFn
) -> None:
    """sigcounter:emit: one firing per line written, kind 1 display, 2 reset, 3 shutdown,
    with the count the line shows."""
    process = sig_counter("--interval", INTERVAL)
    pid = process.wait_ready()
    tracer = attach(pid, EMIT)
    os.kill(pid, signal.SIGUSR1)
    match = COUNT.match(process.line().decode())
    assert match
    assert _fired(tracer, "emit") == [1, int(match.group(1))]
    reset_at = time.monotonic()
    os.kill(pid, signal.SIGUSR2)
    assert process.line() == b"Resetting ticker count to zero\n"
    assert _fired(tracer, "emit") == [2, 0]
    os.kill(pid, signal.SIGTERM)
    assert process.line() == TERMINATED
    # The shutdown line's count: the ticks since the reset, no more than fit in
    # the time from sending SIGUSR2 to reading the last line.
    most = (time.monotonic() - reset_at) * 1e9 // INTERVAL_NS + 1
    kind, count = _fired(tracer, "emit")
    assert kind == 3 and count <= most, (kind, count, most)
    assert process.wait_exit() == 0


SEMAPHORE_CHILD = """\
import sys
from sigcounter.kernel.probes import emit_semaphore, fire_emit
print(int(emit_semaphore[0] > 0), flush=True)
for _ in sys.stdin:
    enabled = emit_semaphore[0] > 0
    if enabled:
        fire_emit(4, 12345)
    print(int(enabled), flush=True)
"""


def test_emit_semaphore_is_up_only_while_a_tracer_is_attached(
    attach: AttachFn, tmp_path: Path
) -> None:
    """The emit semaphore reads 0 with no tracer, more while bpftrace is attached to
    sigcounter:emit (and then fire_emit() reaches it), and 0 again after."""
    with Child([sys.executable, "-c", SEMAPHORE_CHILD], cwd=tmp_path,
               stdin=subprocess.PIPE) as child:

        def enabled() -> bytes:
            assert child.proc.stdin is not None
            child.proc.stdin.write(b"\n")
            child.proc.stdin.flush()
            return child.line()

        assert child.line() == b"0\n"
        tracer = attach(child.pid, EMIT)
        assert enabled() == b"1\n"
        assert _fired(tracer, "emit") == [4, 12345]
        tracer.stop()
        assert enabled() == b"0\n"


def test_explain_prints_a_bpftrace_command_that_attaches(sig_counter: StartFn) -> None:
    """--explain's bpftrace command, run as printed (path and PID filled in), sees
    this process's SIGUSR1."""
    require_probes()
    require_bpf()
    process = sig_counter("--interval", INTERVAL, "--explain")
    pid = process.wait_ready()
    explained = []
    while "perf probe -d" not in (line := process.err_line()):
        explained.append(line)
    assert any(f"perf record -e 'sdt_sigcounter:*' -p {pid}" in line for line in explained)
    start = next(i for i, line in enumerate(explained) if f"bpftrace -p {pid} -e" in line)
    # Its last line is the path, after a line that ends in a backslash.
    end = next(i for i in range(start, len(explained)) if explained[i].endswith("\\\n")) + 1
    command = "".join(line.strip(" ") for line in explained[start:end + 1])
    assert command.rstrip().endswith(EXTENSION_PATH), command
    tracer = Bpftrace.shell(command)
    try:
        # "Attaching" comes before the probes are in: signal until one is seen.
        deadline = time.monotonic() + DEADLINE
        while True:
            os.kill(pid, signal.SIGUSR1)
            assert COUNT.match(process.line().decode())
            try:
                line = tracer.wait_for(lambda line: line.startswith("sig="), "sig=", 0.2)
                break
            except AssertionError:
                assert time.monotonic() < deadline, "the printed command saw no SIGUSR1"
        assert line == f"sig=10 from pid={os.getpid()} uid={os.getuid()} code=0\n"
    finally:
        tracer.stop()
