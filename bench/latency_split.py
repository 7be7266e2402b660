"""Where a SIGUSR1's answer spends its time, seen from outside each program:

    .venv/bin/python bench/latency_split.py [--rounds N] [--signals N] [--ladder] [--out DIR]
    .venv/bin/python bench/latency_split.py --functions "sig-counter" [--signals N]

For each program of latency_floor.py, and the Go original when `go` is on
PATH, two figures per SIGUSR1:

- the split, by bpftrace: ``kill(2)`` entered -> the program's wait returns
  (the first epoll_pwait, epoll_wait, rt_sigtimedwait, clock_nanosleep,
  nanosleep or futex of any of its threads to return after the kill) -> its
  first ``write(2)`` entered (sig-counter writes stdout through a
  descriptor of its own, not fd 1). All programs run at once, signalled in the
  interleaved rounds of run.py, with the one tracer attached to all of them;
  the kill -> line-read-back latency of the same signals comes with it.
- instructions per signal, by callgrind: a run answering N SIGUSR1 minus a
  run answering none, over N, at ``--interval 1000`` (no tick in either).
  ``--functions NAME`` prints that difference per function for one program,
  and the code it runs per signal: the 64-byte lines and pages, by object.

``--ladder`` adds the native floor with sig-counter's own path put back one
step at a time (LADDER), so that each step is timed where it runs, cold.

Prints a table; writes DIR/latency_split.json with every sample. Needs root,
bpftrace, tracefs and valgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import latency_floor
import measures
from procs import Child, NoLine, Running, poll_until
from report import C, percentile
from run import PYTHON, build_c, build_go

HERE = Path(__file__).resolve().parent
GO = "the Go original"
TRACEFS = Path("/sys/kernel/tracing")
# The syscalls a program may be asleep in when a SIGUSR1 comes: sig-counter,
# the native floor and C (epoll_pwait), sigtimedwait, the handlers' sleep,
# and Go's runtime (futex, epoll_pwait, nanosleep) on any of its threads.
WAITS = ("epoll_pwait", "epoll_wait", "rt_sigtimedwait", "clock_nanosleep", "nanosleep", "futex")
CALLGRIND_INTERVAL = "1000"


# The native floor with sig-counter's path put back one step at a time
# (comparators/native_floor.py --upto), each step's name and its --upto.
LADDER = {
    "floor + LoopWait.wait_in_place()": "wait",
    "floor + LoopWait.wait_in_place() + the bytes template": "template",
    "floor + LoopWait.wait_in_place() + the bytes template + the writer's line_writer": "write",
}


def floor_upto(step: str) -> measures.Argv:
    floor = str(HERE / "comparators" / "native_floor.py")
    return lambda i: [PYTHON, floor, "--interval", f"{i}", "--upto", step]


def programs(out: Path, *, ladder: bool = False) -> dict[str, measures.Argv]:
    argvs = latency_floor.programs(build_c(out))
    for name, step in LADDER.items() if ladder else ():
        argvs[name] = floor_upto(step)
    go_binary = build_go(out)
    if go_binary is None:
        print("latency_split: no `go` here; the Go original is left out", file=sys.stderr)
    else:
        argvs[GO] = lambda i: [str(go_binary), "--ready", "--interval", f"{i}"]
    return argvs


# --- the split, by bpftrace --------------------------------------------------

def tracer_script(pids: list[int]) -> str:
    """Per traced pid, one line per answered SIGUSR1: pid, then CLOCK_MONOTONIC ns
    of the kill, of the wait's return, of the next write, and the ns spent in
    read(2) between the last two (a signalfd's records). Keyed by the process (a
    Go signal wakes one thread and is written by another)."""
    watched = " || ".join(f"args->pid == {pid}" for pid in pids)
    waits = ", ".join(f"tracepoint:syscalls:sys_exit_{name}" for name in WAITS)
    return f"""
BEGIN {{ printf("ready\\n"); }}
tracepoint:syscalls:sys_enter_kill /args->sig == {int(signal.SIGUSR1)} && ({watched})/ {{
    @sent[(uint64)args->pid] = nsecs; @woke[(uint64)args->pid] = 0;
}}
{waits} /@sent[pid] && !@woke[pid]/ {{ @woke[pid] = nsecs; @read[pid] = 0; }}
tracepoint:syscalls:sys_enter_read /@woke[pid]/ {{ @began[tid] = nsecs; }}
tracepoint:syscalls:sys_exit_read /@began[tid]/ {{
    @read[pid] += nsecs - @began[tid]; delete(@began[tid]);
}}
tracepoint:syscalls:sys_enter_write /@woke[pid]/ {{
    printf("%d %lld %lld %lld %lld\\n", pid, @sent[pid], @woke[pid], nsecs, @read[pid]);
    delete(@sent[pid]); delete(@woke[pid]);
}}
END {{ clear(@sent); clear(@woke); clear(@read); clear(@began); }}
"""


def ensure_tracefs() -> None:
    """bpftrace's syscall tracepoints live in tracefs, which not every machine mounts."""
    if not (TRACEFS / "events").is_dir():
        subprocess.run(["mount", "-t", "tracefs", "nodev", str(TRACEFS)], check=True)


def start_tracer(pids: list[int]) -> Child:
    tracer = Child(["bpftrace", "-B", "line", "-e", tracer_script(pids)], deadline=90)
    while tracer.line().strip() != b"ready":  # "Attaching N probes..." comes first
        pass
    return tracer


def split_us(argvs: dict[str, measures.Argv], signals: int, quiet_s: tuple[float, float]
             ) -> dict[str, dict[str, list[float]]]:
    """For each program, per SIGUSR1 (µs): ``total`` kill -> line read back,
    ``wake`` kill -> the wait's return, ``user`` the wait's return -> write,
    ``read`` the part of ``user`` spent in read(2). ``quiet_s``: the range of
    the pause between rounds (measures.rounds)."""
    started = {name: Running(argv(1.0)) for name, argv in argvs.items()}
    try:
        for program in started.values():
            program.wait_handling()
        tracer = start_tracer([program.pid for program in started.values()])
        time.sleep(0.2)
        totals = measures.rounds(started, signals, quiet_s)
        tracer.stop(signal.SIGINT)
    finally:
        for program in started.values():
            program.stop()
    names = {program.pid: name for name, program in started.items()}
    result = {name: {"total": totals[name], "wake": [], "user": [], "read": []}
              for name in started}
    while (line := tracer.poll_line(0)) is not None:
        fields = line.split()
        if len(fields) == 5 and int(fields[0]) in names:
            pid, sent, woke, wrote, reading = (int(field) for field in fields)
            result[names[pid]]["wake"].append((woke - sent) / 1e3)
            result[names[pid]]["user"].append((wrote - woke) / 1e3)
            result[names[pid]]["read"].append(reading / 1e3)
    return result


# --- instructions per signal, by callgrind -----------------------------------

def callgrind_run(argv: list[str], signals: int, out_file: Path, *, per_instruction: bool
                  ) -> None:
    """A whole run under callgrind, into ``out_file``, that answers ``signals``
    SIGUSR1 and then a SIGTERM. The hash seed is fixed, so two runs start alike."""
    program = Running(
        ["valgrind", "--tool=callgrind", "-q", f"--callgrind-out-file={out_file}",
         f"--dump-instr={'yes' if per_instruction else 'no'}", *argv],
        env={**os.environ, "PYTHONHASHSEED": "0"})
    try:
        program.wait_handling(timeout=120)
        for signum in [signal.SIGUSR1] * signals + [signal.SIGTERM]:
            poll_until(lambda: asleep(program.pid), 30, "the program back in its wait")
            os.kill(program.pid, signum)
            program.line(timeout=30)
        program.wait_exit(timeout=120)
    finally:
        program.stop()


def asleep(pid: int) -> bool:
    """Every thread of ``pid`` blocked. valgrind takes a signal that comes while
    the program runs only once it is in a system call, and then restarts the
    call instead of interrupting it: a signal handler's sleep would go on."""
    tasks = Path(f"/proc/{pid}/task").iterdir()
    return all((task / "stat").read_text().rsplit(")", 1)[1].split()[0] == "S" for task in tasks)


def callgrind_files(name: str, argv: measures.Argv, signals: int, out: Path, *,
                    per_instruction: bool = False) -> tuple[Path, Path]:
    """Two callgrind profiles of ``name``: one answering ``signals`` SIGUSR1, one none."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    files = (out / f"callgrind-{slug}-{signals}.out", out / f"callgrind-{slug}-0.out")
    for file, count in zip(files, (signals, 0), strict=True):
        callgrind_run(argv(float(CALLGRIND_INTERVAL)), count, file,
                      per_instruction=per_instruction)
    return files


def per_signal(name: str, argv: measures.Argv, signals: int, out: Path) -> dict[str, float]:
    """``instructions``: (instructions answering ``signals`` - answering none) /
    ``signals``; ``code_lines``: the 64-byte lines of code a signal runs
    (code_working_set). Empty when the program does not run under valgrind."""
    try:
        with_signals, without = callgrind_files(name, argv, signals, out, per_instruction=True)
    except (NoLine, OSError, IndexError, subprocess.TimeoutExpired, AssertionError) as failure:
        # AssertionError: poll_until's deadline, a program that never went back to sleep
        # (the Go runtime, which does not run under valgrind here, may spin instead of dying).
        print(f"latency_split: {name} under callgrind: {failure}", file=sys.stderr)
        return {}
    code = code_working_set(with_signals, without, signals)
    return {"instructions": (total(with_signals) - total(without)) / signals,
            "code_lines": sum(lines for lines, _pages in code.values())}


def total(callgrind_out: Path) -> int:
    return int(re.findall(r"^(?:summary|totals): (\d+)", callgrind_out.read_text(), re.M)[-1])


def per_function(callgrind_out: Path) -> dict[str, int]:
    """Instructions by function (self cost), as callgrind_annotate reports them."""
    text = subprocess.run(
        ["callgrind_annotate", "--threshold=100", "--inclusive=no", "--show-percs=no",
         "--auto=no", str(callgrind_out)], capture_output=True, text=True, check=True).stdout
    costs: dict[str, int] = {}
    for count, function in re.findall(r"^\s*([\d,]+)\s+(\S.*?)\s*$", text, re.M):
        # "file:function [object]" (the header lines have no colon): the
        # function and the object's file name, which say enough.
        if match := re.match(r".*?:([^:\s]+)(?: \[.*/([^/]+)\])?$", function):
            key = f"{match[1]} [{match[2]}]" if match[2] else match[1]
            costs[key] = costs.get(key, 0) + int(count.replace(",", ""))
    return costs


def code_per_address(callgrind_out: Path) -> dict[tuple[str, int], int]:
    """Instructions executed at each (object, address) of a ``--dump-instr=yes``
    profile: self cost only (the line after a ``calls=`` is the call's
    inclusive cost, whose address still moves the relative positions)."""
    objects: dict[str, str] = {}
    executed: dict[tuple[str, int], int] = {}
    obj, address, inclusive = "", 0, False
    for line in callgrind_out.read_text().splitlines():
        if line.startswith(("ob=", "cob=")):  # an object is named at its first mention
            number, _, name = line.partition("=")[2].partition(" ")
            if name:
                objects[number] = name
            if line.startswith("ob="):
                obj = objects[number]
        elif line.startswith("calls="):
            inclusive = True
        elif line[:1] in "0123456789+-*" and line[:1]:
            position, _, rest = line.partition(" ")
            if position.startswith("0x"):
                address = int(position, 16)
            elif position[0] in "+-":
                address += int(position)
            if not inclusive:
                key = (obj, address)
                executed[key] = executed.get(key, 0) + int(rest.split()[-1])
            inclusive = False
    return executed


def code_working_set(with_signals: Path, without: Path, signals: int) -> dict[str, list[int]]:
    """The code a signal's answer runs, by object: [64-byte lines, 4 KiB pages]
    holding an instruction run at least once per two signals more than in the
    run without any."""
    more, less = code_per_address(with_signals), code_per_address(without)
    lines: dict[str, set[int]] = {}
    for (obj, address), count in more.items():
        if count - less.get((obj, address), 0) >= signals / 2:
            lines.setdefault(Path(obj).name, set()).add(address // 64)
    return {obj: [len(found), len({line // 64 for line in found})]
            for obj, found in sorted(lines.items(), key=lambda item: -len(item[1]))}


def function_deltas(with_signals: Path, without: Path, signals: int) -> list[tuple[str, float]]:
    """Instructions per signal by function: the difference of the two runs."""
    more, less = per_function(with_signals), per_function(without)
    deltas = [(name, (more.get(name, 0) - less.get(name, 0)) / signals)
              for name in more.keys() | less.keys()]
    return sorted(deltas, key=lambda item: -abs(item[1]))


# --- the table ---------------------------------------------------------------

def table(result: dict[str, dict[str, object]]) -> str:
    """One row per program: p50 of each piece, as µs and against C's."""
    def p50(name: str, piece: str) -> float:
        samples = result[name][piece]
        assert isinstance(samples, list)
        return percentile(samples, 50) if samples else float("nan")

    lines = ["| program | kill → line read, p50 µs (× C) | kill → wait returns, p50 µs "
             "| wait returns → write, p50 µs (× C) | of which read(2), p50 µs "
             "| signals traced | instructions per signal | code run per signal, 64-byte lines |",
             "|---|---|---|---|---|---|---|---|"]
    for name, figures in result.items():
        counted = figures.get("callgrind") or {}
        assert isinstance(counted, dict)
        instructions = f"{counted['instructions']:,.0f}" if counted else "—"
        code = f"{counted['code_lines']:,}" if counted else "—"
        traced = len(figures["user"])  # type: ignore[arg-type]
        lines.append(
            f"| {name} | {p50(name, 'total'):.1f} ({p50(name, 'total') / p50(C, 'total'):.2f}×) "
            f"| {p50(name, 'wake'):.1f} | {p50(name, 'user'):.1f} "
            f"({p50(name, 'user') / p50(C, 'user'):.2f}×) | {p50(name, 'read'):.1f} "
            f"| {traced} | {instructions} | {code} |")
    return "\n".join(lines) + "\n"


def measure(out: Path, rounds: int, signals: int, quiet_s: tuple[float, float] = (0.005, 0.015),
            *, ladder: bool = False) -> dict[str, dict[str, object]]:
    """The split and the instruction counts for every program (none when
    ``signals`` is 0); ``ladder`` adds the floor's steps towards sig-counter."""
    ensure_tracefs()
    argvs = programs(out, ladder=ladder)
    result: dict[str, dict[str, object]] = dict(split_us(argvs, rounds, quiet_s))
    for name, argv in argvs.items():
        result[name]["callgrind"] = per_signal(name, argv, signals, out) if signals else {}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="signals traced per program")
    parser.add_argument("--signals", type=int, default=100, help="signals under callgrind")
    parser.add_argument("--quiet-ms", type=float, nargs=2, default=(5, 15), metavar=("MIN", "MAX"),
                        help="pause between rounds: longer leaves the programs colder")
    parser.add_argument("--ladder", action="store_true",
                        help="add the native floor with sig-counter's path put back step by step")
    parser.add_argument("--functions", metavar="NAME", help="per-function instructions of NAME")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.functions:
        files = callgrind_files(args.functions, programs(args.out, ladder=True)[args.functions],
                                args.signals, args.out, per_instruction=True)
        print(f"instructions per signal: {(total(files[0]) - total(files[1])) / args.signals:,.0f}")
        for obj, (lines, pages) in code_working_set(*files, args.signals).items():
            print(f"code run per signal in {obj}: {lines} lines of 64 bytes, {pages} pages")
        for function, count in function_deltas(*files, args.signals)[:40]:
            print(f"{count:10,.1f}  {function}")
        return 0
    quiet_s = (args.quiet_ms[0] / 1e3, args.quiet_ms[1] / 1e3)
    result = measure(args.out, args.rounds, args.signals, quiet_s, ladder=args.ladder)
    (args.out / "latency_split.json").write_text(json.dumps(result, indent=1))
    print(table(result), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
