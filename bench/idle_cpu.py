"""What an idle tick costs: sig-counter beside the C program, the native floor
and the plain handlers, over many windows, in several arrangements.

    .venv/bin/python bench/idle_cpu.py [--quick] [--rounds N] [--out DIR]

Each round measures one window of every (interval, arrangement) pair, in a
shuffled order, each with fresh processes: started in a random order, with a
random gap of up to one interval between starts (so the programs' ticks fall
at random phases to one another) and a random settling time (so the window
starts at a random phase). CPU per tick is the CPU time over the window
divided by the wake-ups in it: from schedstat in every window and, in every
other round, also from `perf stat -e task-clock` attached to each program
(whose own cost, on each context switch, the schedstat figures of those
windows include). Prints a table; writes DIR/idle_cpu.json with every window.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measures import percentile
from procs import Running
from run import PYTHON, SIG_COUNTER, build_c, machine, step

HERE = Path(__file__).resolve().parent
C, SC, FLOOR, PLAIN = "C", "sig-counter", "native floor", "plain handlers"
# Each arrangement is a list of groups measured back to back; "alone" runs
# C and sig-counter each on its own, and pairs the two adjacent windows.
ARRANGEMENTS = {
    "alone": [[C], [SC]],
    "beside C": [[C, SC]],
    "all four": [[C, SC, FLOOR, PLAIN]],
}
PERF_EVENTS = "task-clock,context-switches,cpu-migrations,page-faults"


def programs(c_binary: Path) -> dict[str, Any]:
    comparators = HERE / "comparators"
    return {
        C: lambda i: [str(c_binary), "--interval", f"{i}"],
        SC: lambda i: [SIG_COUNTER, "--interval", f"{i}"],
        FLOOR: lambda i: [PYTHON, str(comparators / "native_floor.py"), "--interval", f"{i}"],
        PLAIN: lambda i: [PYTHON, str(comparators / "plain_handlers.py"), "--interval", f"{i}"],
    }


def sched(pid: int) -> dict[str, int]:
    """schedstat (ns on CPU, ns waiting to run, timeslices) and the context
    switches from status, summed over the threads (each program has one)."""
    totals = dict.fromkeys(("cpu_ns", "wait_ns", "slices", "voluntary", "involuntary"), 0)
    for task in Path(f"/proc/{pid}/task").iterdir():
        cpu, wait, slices = (int(v) for v in (task / "schedstat").read_text().split())
        totals["cpu_ns"] += cpu
        totals["wait_ns"] += wait
        totals["slices"] += slices
        for line in (task / "status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                totals["voluntary" if key[0] == "v" else "involuntary"] += int(value)
    return totals


def last_cpu(pid: int) -> int:
    """The core the program last ran on (field 39 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[36])


def steal_and_idle_ticks() -> tuple[int, int]:
    """Machine-wide steal and idle time from /proc/stat, in USER_HZ ticks."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[8]), int(fields[4])


def start(argvs: dict[str, Any], names: list[str], interval: float,
          ready: dict[str, int]) -> dict[str, Running]:
    """Start ``names`` in a random order, a random fraction of an interval
    apart, so that their ticks fall at random phases to one another; note in
    ``ready`` when each said it was ready (its timer is armed just before)."""
    running: dict[str, Running] = {}
    for name in random.sample(names, len(names)):
        running[name] = Running(argvs[name](interval))
        ready[name] = running[name].wait_handling()
        time.sleep(random.uniform(0, interval))
    return running


def perf_attach(pids: dict[str, int], seconds: float) -> dict[str, subprocess.Popen[str]]:
    return {name: subprocess.Popen(
        ["perf", "stat", "-x,", "-e", PERF_EVENTS, "-p", str(pid), "--", "sleep", f"{seconds}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for name, pid in pids.items()}


def perf_read(tracer: subprocess.Popen[str]) -> dict[str, float]:
    """perf stat's CSV: value,unit,event,...; task-clock comes in ms."""
    _, output = tracer.communicate(timeout=60)
    counts = {}
    for line in output.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2] in PERF_EVENTS.split(","):
            value = float(fields[0]) if fields[0][:1].isdigit() else float("nan")
            counts[fields[2]] = value * 1e6 if fields[2] == "task-clock" else value
    return counts


def window(argvs: dict[str, Any], names: list[str], interval: float, seconds: float,
           perf: bool) -> dict[str, Any]:
    """One window over fresh processes: per program, the schedstat deltas and
    (with ``perf``) perf stat's counts; the machine's steal and idle time."""
    ready: dict[str, int] = {}
    running = start(argvs, names, interval, ready)
    try:
        time.sleep(1.0 + 2 * interval + random.uniform(0, interval))  # settle, random phase
        pids = {name: program.pid for name, program in running.items()}
        tracers = perf_attach(pids, seconds + 0.6) if perf else {}
        time.sleep(0.3 if perf else 0)  # let perf attach before the window opens
        before, steal0 = {n: sched(p) for n, p in pids.items()}, steal_and_idle_ticks()
        began = time.monotonic()
        time.sleep(seconds)  # the idle window being measured
        elapsed = time.monotonic() - began
        after, steal1 = {n: sched(p) for n, p in pids.items()}, steal_and_idle_ticks()
        figures: dict[str, dict[str, Any]] = {
            n: {k: after[n][k] - before[n][k] for k in before[n]} for n in pids}
        for name, tracer in tracers.items():
            figures[name]["perf"] = perf_read(tracer)
        for name, pid in pids.items():
            figures[name]["last_cpu"] = last_cpu(pid)
            figures[name]["ready_ns"] = ready[name]
    finally:
        for program in running.values():
            program.stop()
    return {"seconds": elapsed, "start_order": list(running), "programs": figures,
            "steal_ticks": steal1[0] - steal0[0], "idle_ticks": steal1[1] - steal0[1],
            "loadavg": Path("/proc/loadavg").read_text().split()[0]}


def per_tick_us(figures: dict[str, Any], source: str) -> float | None:
    """CPU per wake-up, µs: schedstat over voluntary switches, or perf's task
    clock over perf's context switches."""
    if source == "schedstat":
        cpu, wakes = figures["cpu_ns"], figures["voluntary"]
    else:
        counts = figures.get("perf", {})
        cpu, wakes = counts.get("task-clock", 0.0), counts.get("context-switches", 0.0)
    return cpu / 1e3 / wakes if wakes and cpu == cpu else None


def run_round(argvs: dict[str, Any], plan: dict[float, float], perf: bool) -> list[dict[str, Any]]:
    """One window of every (interval, arrangement), in a shuffled order."""
    cells = [(i, a) for i in plan for a in ARRANGEMENTS]
    windows = []
    for interval, arrangement in random.sample(cells, len(cells)):
        groups = ARRANGEMENTS[arrangement]
        merged: dict[str, Any] = {"interval": interval, "arrangement": arrangement,
                                  "perf": perf, "programs": {}, "parts": []}
        for group in random.sample(groups, len(groups)):  # "alone": either first
            part = window(argvs, group, interval, plan[interval], perf)
            merged["programs"].update(part.pop("programs"))
            merged["parts"].append(part)
        windows.append(merged)
    return windows


SOURCES = {  # how CPU per tick is read: (label, which windows, what)
    "schedstat": ("schedstat", False, "schedstat"),
    "schedstat, perf on": ("schedstat", True, "schedstat"),
    "perf task-clock": ("task-clock", True, "task-clock"),
}


def spread(values: list[float]) -> dict[str, float]:
    """Median, quartiles (measures.percentile's) and range."""
    return {"n": len(values), "median": percentile(values, 50),
            "p25": percentile(values, 25), "p75": percentile(values, 75),
            "min": min(values), "max": max(values)}


def summarise(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (interval, arrangement, source): each program's CPU per tick and the
    ratio sig-counter / C taken window by window (paired in time)."""
    cells = []
    for interval in sorted({w["interval"] for w in windows}, reverse=True):
        for arrangement in ARRANGEMENTS:
            for label, (kind, perf, _) in SOURCES.items():
                chosen = [w for w in windows if w["interval"] == interval
                          and w["arrangement"] == arrangement and w["perf"] == perf]
                per = {name: [t for w in chosen if name in w["programs"]
                              and (t := per_tick_us(w["programs"][name], kind)) is not None]
                       for name in (C, SC, FLOOR, PLAIN)}
                ratios = [s / c for w in chosen
                          if (c := per_tick_us(w["programs"][C], kind))
                          and (s := per_tick_us(w["programs"][SC], kind))]
                if not ratios:
                    continue
                cells.append({"interval": interval, "arrangement": arrangement,
                              "source": label, "per_tick_us": {
                                  n: spread(v) for n, v in per.items() if v},
                              "ratio": spread(ratios)})
    return cells


def counts_per_tick(windows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """What else differs per tick, medians over all windows at each interval:
    wake-ups (voluntary switches x interval / window), involuntary switches,
    migrations and page faults (perf)."""
    table: dict[str, dict[str, float]] = {}
    for interval in sorted({w["interval"] for w in windows}, reverse=True):
        for name in (C, SC, FLOOR, PLAIN):
            rows = [(w["programs"][name], w["parts"]) for w in windows
                    if w["interval"] == interval and name in w["programs"]]
            seconds = statistics.median(p["seconds"] for _, parts in rows for p in parts)
            perf = [f["perf"] for f, _ in rows if "perf" in f]
            wakes = [f["voluntary"] for f, _ in rows]
            tick = statistics.median(wakes) or 1
            table[f"{name} @ {interval:g} s"] = {
                "wakeups_per_tick": statistics.median(wakes) * interval / seconds,
                "involuntary_per_tick": statistics.median(f["involuntary"] for f, _ in rows)
                / tick,
                "migrations_per_tick": statistics.median(
                    p.get("cpu-migrations", 0) / (p.get("context-switches") or 1) for p in perf)
                if perf else float("nan"),
                "faults_per_tick": statistics.median(
                    p.get("page-faults", 0) / (p.get("context-switches") or 1) for p in perf)
                if perf else float("nan"),
                "runqueue_wait_us_per_tick": statistics.median(
                    f["wait_ns"] / 1e3 / (f["voluntary"] or 1) for f, _ in rows),
            }
    return table


def phase_effect(windows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """CPU per tick (schedstat, perf off) of each timerfd program by whether its
    ticks fall within 1 ms of another's, so that they wake in one burst, or
    apart. The phase is the time it became ready, modulo the interval; the
    plain handlers drift and "alone" has no neighbours, so neither counts."""
    found: dict[str, list[float]] = {}
    for w in windows:
        if w["perf"] or w["arrangement"] == "alone":
            continue
        period = round(w["interval"] * 1e9)
        phases = {n: f["ready_ns"] % period for n, f in w["programs"].items() if n != PLAIN}
        for name, phase in phases.items():
            near = min(min((phase - p) % period, (p - phase) % period)
                       for n, p in phases.items() if n != name)
            if (cost := per_tick_us(w["programs"][name], "schedstat")) is not None:
                where = "within 1 ms of another" if near < 1_000_000 else "apart"
                found.setdefault(f"{name} @ {w['interval']:g} s, {where}", []).append(cost)
    return {key: spread(values) for key, values in sorted(found.items())}


def _cell(s: dict[str, float]) -> str:
    return f"{s['median']:.1f} ({s['p25']:.1f}–{s['p75']:.1f})"


def table(cells: list[dict[str, Any]], counts: dict[str, dict[str, float]]) -> str:
    lines = ["| interval | arrangement | measured by | windows | C | sig-counter | native floor"
             " | plain handlers | sig-counter ÷ C, median (IQR) [range] |",
             "|---|---|---|---|---|---|---|---|---|"]
    for cell in cells:
        per, r = cell["per_tick_us"], cell["ratio"]
        values = [(_cell(per[n]) if n in per else "") for n in (C, SC, FLOOR, PLAIN)]
        lines.append(
            f"| {cell['interval']:g} s | {cell['arrangement']} | {cell['source']} | {r['n']} | "
            + " | ".join(values)
            + f" | **{r['median']:.2f}×** ({r['p25']:.2f}–{r['p75']:.2f}) "
            f"[{r['min']:.2f}–{r['max']:.2f}] |")
    lines += ["", "CPU per tick in µs: median (interquartile range) over windows.", "",
              "| program @ interval | wake-ups per tick | involuntary switches per tick"
              " | migrations per tick | page faults per tick | runqueue wait per tick, µs |",
              "|---|---|---|---|---|---|"]
    for name, row in counts.items():
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    return "\n".join(lines) + "\n"


def perf_overhead(cells: list[dict[str, Any]]) -> dict[str, float]:
    """What attaching perf stat costs each tick: schedstat with it on over
    schedstat with it off, per program, median over the arrangements."""
    ratios: dict[str, list[float]] = {}
    for on in (c for c in cells if c["source"] == "schedstat, perf on"):
        off = next(c for c in cells if c["source"] == "schedstat" and c["interval"]
                   == on["interval"] and c["arrangement"] == on["arrangement"])
        for name, s in on["per_tick_us"].items():
            if name in off["per_tick_us"]:
                ratios.setdefault(f"{name} @ {on['interval']:g} s", []).append(
                    s["median"] / off["per_tick_us"][name]["median"])
    return {key: statistics.median(values) for key, values in ratios.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of short windows")
    parser.add_argument("--rounds", type=int, help="rounds (default 8; even: half with perf)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rounds = args.rounds or (2 if args.quick else 8)
    plan = {1.0: 4.0, 0.01: 1.0} if args.quick else {1.0: 10.0, 0.01: 3.0}  # interval: window
    argvs = programs(build_c(args.out))
    began, load = time.monotonic(), Path("/proc/loadavg").read_text().split()[:3]
    windows = []
    for number in range(rounds):
        now = Path("/proc/loadavg").read_text()[:14]
        step(f"idle CPU: round {number + 1} of {rounds} (load {now})")
        windows += run_round(argvs, plan, perf=number % 2 == 1)
    cells, counts = summarise(windows), counts_per_tick(windows)
    overhead, phases = perf_overhead(cells), phase_effect(windows)
    result = {"machine": machine(), "load_before": load,
              "load_after": Path("/proc/loadavg").read_text().split()[:3],
              "seconds": round(time.monotonic() - began), "rounds": rounds, "plan": plan,
              "cells": cells, "counts_per_tick": counts, "perf_overhead": overhead,
              "phase_effect": phases,
              "windows": windows}
    (args.out / "idle_cpu.json").write_text(json.dumps(result, indent=1))
    print(table(cells, counts))
    print("perf stat attached, schedstat CPU per tick with it ÷ without: " + ", ".join(
        f"{k} {v:.2f}×" for k, v in overhead.items()))
    print("\nCPU per tick by tick phase (schedstat, perf off), µs: " + "; ".join(
        f"{k}: {_cell(v)}, n={v['n']}" for k, v in phases.items()))
    step(f"done in {result['seconds']} s; load {load} before, {result['load_after']} after; "
         f"{args.out / 'idle_cpu.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
