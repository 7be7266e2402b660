"""One function per figure; each starts its own fresh process(es)."""

from __future__ import annotations

import math
import os
import random
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from procs import NoLine, Running, Strace, cpu_and_switches, parse_summary, rss_kb, threads

Argv = Callable[[float], list[str]]
RESET_LINE = b"Resetting ticker count to zero\n"


def percentile(values: list[float], percent: float) -> float:
    """The bench's one percentile: nearest rank, the smallest value with at least
    ``percent`` of them at or below it (the median of an even count is the lower
    middle one). Every figure it reports is one of the values measured."""
    ordered = sorted(values)
    rank = math.ceil(percent * len(ordered) / 100)  # percent first: 99 * 100 / 100 is exact
    return ordered[min(len(ordered), max(1, rank)) - 1]


def first_answer_ms(argv: Argv, runs: int) -> list[float]:
    """Spawn -> signals blocked/caught -> first `Ticker count` line after a SIGUSR1."""
    results = []
    for _ in range(runs):
        program = Running(argv(1.0))
        try:
            program.wait_handling()
            os.kill(program.pid, signal.SIGUSR1)
            _, answered = program.timed_line()
            results.append((answered - program.spawned_ns) / 1e6)
        finally:
            program.stop()
    return results


def idle_start(argv: Argv) -> Running:
    program = Running(argv(1.0))
    program.wait_handling()
    return program


def idle_together(idle: dict[str, Running], window_s: float) -> dict[str, dict[str, float]]:
    """Threads, RSS, and per idle second: wake-ups (context switches over all
    threads) and CPU (schedstat), in one window shared by all programs; each
    is asleep for nearly all of it, so they hardly disturb one another."""
    before = {name: cpu_and_switches(p.pid) for name, p in idle.items()}
    began = time.monotonic()
    time.sleep(window_s)  # the idle window being measured
    seconds = time.monotonic() - began
    figures = {}
    for name, program in idle.items():
        cpu, switches = cpu_and_switches(program.pid)
        figures[name] = {
            "threads": threads(program.pid),
            "rss_kb": rss_kb(program.pid),
            "wakeups_per_s": (switches - before[name][1]) / seconds,
            "cpu_us_per_idle_s": (cpu - before[name][0]) / 1e3 / seconds,
        }
    return figures


def syscalls_per_tick(argv: Argv, interval: float, window_s: float) -> dict[str, object]:
    """Syscalls by name per tick, from `perf trace -s` (or `strace -c`) over ``window_s``."""
    program = Running(argv(interval))
    try:
        program.wait_handling()
        time.sleep(0.3)
        ticks = window_s / interval
        counts, tool = _perf_summary(program.pid, window_s), "perf trace -s"
        if not counts:
            counts, tool = _strace_summary(program.pid, window_s), "strace -c"
    finally:
        program.stop()
    per_tick = {name: n / ticks for name, n in sorted(counts.items(), key=lambda kv: -kv[1])}
    return {"tool": tool, "per_tick": per_tick, "total_per_tick": sum(per_tick.values())}


def _perf_summary(pid: int, window_s: float) -> dict[str, int]:
    result = subprocess.run(
        ["perf", "trace", "-s", "-p", str(pid), "--", "sleep", str(window_s)],
        capture_output=True, text=True, timeout=window_s + 60,
    )
    counts: dict[str, int] = {}
    for name, calls in re.findall(r"^\s+(\w+)\s+(\d+)\s+\d+\s+[\d.]+", result.stdout
                                  + result.stderr, re.M):
        counts[name] = counts.get(name, 0) + int(calls)
    return counts


def _strace_summary(pid: int, window_s: float) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        tracer = Strace(pid, Path(scratch) / "summary", summary=True)
        time.sleep(window_s)  # the window being counted
        tracer.stop()
        return parse_summary(tracer.log.read_text())


def usr1_latency_us(argvs: dict[str, Argv], signals: int) -> dict[str, list[float]]:
    """kill(SIGUSR1) -> its line read back, for every program at once (``rounds``)."""
    programs = {name: Running(argv(1.0)) for name, argv in argvs.items()}
    try:
        for program in programs.values():
            program.wait_handling()
        time.sleep(0.2)
        return rounds(programs, signals)
    finally:
        for program in programs.values():
            program.stop()


def rounds(programs: dict[str, Running], signals: int,
           quiet_s: tuple[float, float] = (0.005, 0.015)) -> dict[str, list[float]]:
    """kill(SIGUSR1) -> its line read back, in µs, ``signals`` times for each of
    ``programs`` (started and ready): each round signals each program in turn
    (in a shuffled order), one at a time, with 5-15 ms (``quiet_s``) of quiet
    between rounds, so a burst of noise on the machine lands on all alike."""
    latencies: dict[str, list[float]] = {name: [] for name in programs}
    order = list(programs.items())
    for _ in range(signals):
        random.shuffle(order)
        for name, program in order:
            sent = time.monotonic_ns()
            os.kill(program.pid, signal.SIGUSR1)
            _, answered = program.timed_line()
            latencies[name].append((answered - sent) / 1e3)
        time.sleep(random.uniform(*quiet_s))
    return latencies


def ticks_across_sigstop(argv: Argv, stopped_s: float) -> dict[str, float]:
    """Ticks counted while stopped for ``stopped_s`` at 1 s per tick."""
    program = Running(argv(1.0))
    try:
        program.wait_handling()
        before = program.count()
        began = time.monotonic()
        os.kill(program.pid, signal.SIGSTOP)
        time.sleep(stopped_s)  # the stop being measured
        os.kill(program.pid, signal.SIGCONT)
        after = program.count()
        elapsed = time.monotonic() - began
    finally:
        program.stop()
    return {"counted": after - before, "elapsed_s": elapsed}


def flood(argv: Argv, signals: int, interval: float) -> dict[str, object]:
    """``signals`` SIGUSR1 as fast as possible; then alive? and the tick rate after."""
    program = Running(argv(interval))
    try:
        program.wait_handling()
        began = time.monotonic()
        for _ in range(signals):
            os.kill(program.pid, signal.SIGUSR1)
        sent_s = time.monotonic() - began
        os.kill(program.pid, signal.SIGUSR2)  # marker: its line ends the flood's output
        try:
            lines: int | None = program.drain_until(RESET_LINE, timeout=15)
        except NoLine:
            lines = None  # the SIGUSR2 sent after the flood was lost
        program.discard_pending()  # lines from signals still queued behind the marker
        alive = program.proc.poll() is None
        if not alive:
            return {"alive": False, "lines": lines, "marker_lost": lines is None,
                    "send_s": sent_s, "rate_vs_expected": 0.0}
        start_count, start = program.count(), time.monotonic()
        time.sleep(2.0)  # the window over which the rate is measured
        rate = (program.count() - start_count) / (time.monotonic() - start) * interval
    finally:
        program.stop()
    return {"alive": alive, "lines": lines, "marker_lost": lines is None, "send_s": sent_s,
            "rate_vs_expected": rate}


def cpu_per_tick_us(argv: Argv, interval: float, window_s: float) -> float:
    """CPU time per tick actually counted, over ``window_s`` at ``interval``."""
    program = Running(argv(interval))
    try:
        program.wait_handling()
        time.sleep(0.3)
        start_count = program.count()
        cpu0, _ = cpu_and_switches(program.pid)
        time.sleep(window_s)  # the window being measured
        cpu1, _ = cpu_and_switches(program.pid)
        ticks = program.count() - start_count
    finally:
        program.stop()
    return (cpu1 - cpu0) / 1e3 / max(1, ticks)


def rss_growth_start(argv: Argv) -> tuple[Running, int]:
    """Start at 1 kHz; the starting RSS is taken once a first SIGUSR1 was answered,
    so that first-use allocations are not counted as growth."""
    program = Running(argv(0.001))
    program.wait_handling()
    program.count()
    time.sleep(0.5)
    return program, rss_kb(program.pid)


def rss_growth_finish(program: Running, ticks: int, timeout_s: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout_s
    while (count := program.count()) < ticks and time.monotonic() < deadline:
        time.sleep(2.0)
    rss = rss_kb(program.pid)
    program.stop()
    return {"ticks": count, "rss_end_kb": rss}
