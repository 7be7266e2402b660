"""Measure sig-counter side by side with a C floor, the same program as a plain
Python loop on the library's wrappers, and the stdlib ways of writing it.
One command, bounded in time, kills its children:

    .venv/bin/python bench/run.py [--quick] [--latency-split] [--out DIR]

Writes DIR/results.json, DIR/results.md (the table) and DIR/performance.png.
--latency-split also runs latency_split.py (bpftrace and callgrind, as root:
a few minutes more) into DIR/latency_split.json and DIR/latency_split.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import measures
import procs
import report

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable  # the interpreter sig-counter is installed for
SIG_COUNTER = str(procs.SIG_COUNTER)  # the command next to it, as an argv word


def _script(name: str) -> measures.Argv:
    return lambda interval: [PYTHON, str(HERE / "comparators" / name), "--interval", f"{interval}"]


def programs(c_binary: Path, scratch: Path) -> dict[str, measures.Argv]:
    """Every program in the table, by its column name. The --stats and --trace
    columns show what the built-in instruments cost; no two runs of one program
    overlap, so its trace file can be rewritten by each."""
    trace = str(scratch / "trace.json")
    return {
        "C (signalfd+timerfd+epoll)": lambda i: [str(c_binary), "--interval", f"{i}"],
        "sig-counter": lambda i: [SIG_COUNTER, "--interval", f"{i}"],
        "sig-counter --tick-source timeout": lambda i: [
            SIG_COUNTER, "--interval", f"{i}", "--tick-source", "timeout"],
        "sig-counter --stats": lambda i: [SIG_COUNTER, "--interval", f"{i}", "--stats"],
        "sig-counter --trace FILE": lambda i: [
            SIG_COUNTER, "--interval", f"{i}", "--trace", trace],
        "Python loop on the wrappers": _script("python_loop.py"),
        "Python signal handlers + sleep": _script("plain_handlers.py"),
        "asyncio add_signal_handler": _script("asyncio_counter.py"),
        "Python sigtimedwait": _script("sigtimedwait_counter.py"),
    }


def build_c(out: Path) -> Path:
    binary = out / "c_sigcounter"
    subprocess.run(["gcc", "-O2", "-Wall", "-o", str(binary),
                    str(HERE / "comparators" / "c_sigcounter.c")], check=True)
    return binary


def build_go(out: Path) -> Path | None:
    """The Go original (comparators/go_sigcounter), built with the `go` on PATH;
    None without one. Its module needs nothing from outside the toolchain."""
    if shutil.which("go") is None:
        return None
    binary = out / "go_sigcounter"
    subprocess.run(["go", "build", "-o", str(binary.resolve()), "."], check=True,
                   cwd=HERE / "comparators" / "go_sigcounter",
                   env={**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"})
    return binary


def machine() -> dict[str, str]:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    cores = len(list(Path("/sys/devices/system/cpu").glob("cpu[0-9]*")))
    return {"cpu": model, "cores": str(cores),
            "kernel": platform.release(), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def step(title: str) -> None:
    print(f"bench: {title}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows, for a smoke run")
    parser.add_argument("--latency-split", action="store_true",
                        help="also split each SIGUSR1's latency (bpftrace) and count its "
                             "instructions (callgrind): latency_split.py")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if shutil.which("perf") is None and shutil.which("strace") is None:
        sys.exit("bench: needs perf or strace to count syscalls")
    started = time.monotonic()
    c_binary = build_c(args.out)
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=args.out) as scratch:
        summary = measure(programs(c_binary, Path(scratch)), args.quick)
    (args.out / "results.json").write_text(json.dumps(summary, indent=1))
    table = report.table(summary)
    (args.out / "results.md").write_text(table)
    report.plot(summary, args.out / "performance.png")
    print(table)
    if args.latency_split:
        split_latency(args.out, args.quick)
    step(f"done in {round(time.monotonic() - started)} s; results in {args.out}")
    return 0


def split_latency(out: Path, quick: bool) -> None:
    """latency_split.py's table, after the rest (it needs root, bpftrace, valgrind)."""
    import latency_split

    step("SIGUSR1 latency split (bpftrace) and instructions per signal (callgrind)")
    split = latency_split.measure(out, 60 if quick else 300, 20 if quick else 100)
    (out / "latency_split.json").write_text(json.dumps(split, indent=1))
    (out / "latency_split.md").write_text(latency_split.table(split))
    print(latency_split.table(split))


def measure(progs: dict[str, measures.Argv], quick: bool) -> dict[str, object]:
    """Every figure for every program, and the machine they were taken on."""
    started = time.monotonic()
    results: dict[str, dict[str, object]] = {name: {} for name in progs}

    step("first answer after spawn")
    for name, argv in progs.items():
        results[name]["first_answer_ms"] = measures.first_answer_ms(argv, 3 if quick else 7)

    step("idle: threads, RSS, wake-ups and CPU per idle second (all at once)")
    window = 5.0 if quick else 20.0
    idle = {name: measures.idle_start(argv) for name, argv in progs.items()}
    baseline = measures.idle_start(lambda _: [PYTHON, str(HERE / "comparators" / "epoll_idle.py")])
    time.sleep(2.0)  # let start-up settle before the window
    figures = measures.idle_together(idle, window)
    for name, program in idle.items():
        results[name]["idle"] = figures[name]
        program.stop()
    baseline_rss = procs.rss_kb(baseline.pid)
    baseline.stop()

    step("syscalls per tick")
    for name, argv in progs.items():
        results[name]["syscalls"] = measures.syscalls_per_tick(argv, 0.02, 2.0 if quick else 8.0)

    step("SIGUSR1 -> line latency (all programs, interleaved)")
    for name, latencies in measures.usr1_latency_us(progs, 60 if quick else 300).items():
        results[name]["latency_us"] = latencies

    step("ticks counted across a SIGSTOP")
    for name, argv in progs.items():
        results[name]["sigstop"] = measures.ticks_across_sigstop(argv, 2.0 if quick else 5.0)

    step("flood of 20,000 SIGUSR1")
    for name, argv in progs.items():
        results[name]["flood"] = measures.flood(argv, 20_000, 0.05)

    step("CPU per tick against tick rate")
    for name, argv in progs.items():
        results[name]["cpu_per_tick_us"] = {
            str(hz): measures.cpu_per_tick_us(argv, 1 / hz, 1.0 if quick else 3.0)
            for hz in (10, 100, 1000, 10000)
        }

    ticks = 5_000 if quick else 100_000
    step(f"RSS after {ticks} ticks at 1 kHz (all at once)")
    growth = {name: measures.rss_growth_start(argv) for name, argv in progs.items()}
    for name, (program, rss_start) in growth.items():
        results[name]["rss_growth"] = {"rss_start_kb": rss_start,
                                       **measures.rss_growth_finish(program, ticks, 240)}

    return {"machine": machine(), "quick": quick, "baseline_rss_kb": baseline_rss,
            "seconds": round(time.monotonic() - started), "programs": results}


if __name__ == "__main__":
    sys.exit(main())

