"""What each piece of the path from a signal's wake-up to its line costs:

    .venv/bin/python bench/latency_pieces.py [--repeat N] [--cold-ms MS] [--only NAME ...]

Each piece runs in a fresh interpreter on a real signal: the process blocks
SIGUSR1, sends it to itself, and takes it the piece's way (the native wait,
or sigtimedwait), then does the piece's work. Two figures per piece:

- instructions, by callgrind: a run of N iterations minus a run of none, over
  N; less the ``kill only`` piece's, so the figure is what the piece adds to
  sending the signal. Steady to a few instructions from run to run.
- time, µs: the median over N of each iteration's own duration (perf_counter_ns
  around it, the send included, less the ``kill only`` median); with
  ``--cold-ms MS`` each iteration follows a sleep of MS, as a signal that comes
  after a quiet spell does.

The pieces build on one another (see PIECES), so the difference between two
rows is what one step costs: the cffi call and return, field access on
cdata, the unpack and the decode into SigInfo, sig-counter's LoopWait.wait,
the event, the line, and the writer's emit.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable

# Run before every piece: what sig-counter's TickLoop.open() sets up, one
# SIGUSR1 the process sends itself, the stdout writer on /dev/null.
SETUP = """
import os, signal, time
from sigcounter.events import Event
from sigcounter.kernel.lean import build_record
from sigcounter.kernel.loopwait import RECORD_WORDS, LoopWait
from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.probes import emit_semaphore
from sigcounter.kernel.siginfo import SigInfo
from sigcounter.kernel.signalfd import SignalFD
from sigcounter.output import format_event
from sigcounter.signaltable import BY_SIGNO, handled_signals
from sigcounter.writer import StdoutWriter

HANDLED = set(handled_signals())
signals = SignalFD(HANDLED, nonblocking=True)
wait_object = LoopWait(signals, 1000 * 10**9)
wait_object.arm()
state, loop_wait, wait = wait_object._state, lib.loop_wait, wait_object.wait
words_at = ffi.cast("int64_t *", ffi.addressof(state, "signals"))
unpack = ffi.unpack
sigtimedwait, kill, pid, USR1 = signal.sigtimedwait, os.kill, os.getpid(), lib.SIGUSR1
null = os.open(os.devnull, os.O_WRONLY)
emit = StdoutWriter(null).emitter(format_event)
"""

# name -> the statements of one iteration. Each row adds one step to the one
# it names in its comment, so that the two rows' difference is that step.
PIECES: dict[str, str] = {
    "kill only": "kill(pid, USR1)",  # the signal stays pending: kill costs the same
    "sigtimedwait": "kill(pid, USR1); info = sigtimedwait(HANDLED, 0)",
    "sigtimedwait + si_signo": "kill(pid, USR1); signo = sigtimedwait(HANDLED, 0).si_signo",
    "loop_wait (the cffi call and return)": "kill(pid, USR1); loop_wait(state)",
    "+ 3 cdata fields (ticks, nsignals, ticks = 0)": (
        "kill(pid, USR1); loop_wait(state); t = state.ticks; n = state.nsignals; state.ticks = 0"),
    "+ the floor's signals[0].signo": (
        "kill(pid, USR1); loop_wait(state); t = state.ticks; n = state.nsignals; state.ticks = 0;"
        " signo = state.signals[0].signo"),
    "+ ffi.unpack of the record (17 words)": (
        "kill(pid, USR1); loop_wait(state); t = state.ticks; n = state.nsignals; state.ticks = 0;"
        " words = unpack(words_at, RECORD_WORDS)"),
    "+ the SigInfo built (in a list)": (
        "kill(pid, USR1); loop_wait(state); t = state.ticks; n = state.nsignals; state.ticks = 0;"
        " records = [build_record(SigInfo, unpack(words_at, RECORD_WORDS))]"),
    "LoopWait.wait()": "kill(pid, USR1); ticks, records, watched = wait()",
    "LoopWait.wait() + row and Event": (
        "kill(pid, USR1); ticks, records, watched = wait(); info = records[0];"
        " row = BY_SIGNO.get(info.signo); event = build_record(Event, (row.action, 0, info))"),
    "  + format_event().encode()": (
        "kill(pid, USR1); ticks, records, watched = wait(); info = records[0];"
        " row = BY_SIGNO.get(info.signo); event = build_record(Event, (row.action, 0, info));"
        " data = format_event(event).encode()"),
    "  + the writer's emit() (format and write)": (
        "kill(pid, USR1); ticks, records, watched = wait(); info = records[0];"
        " row = BY_SIGNO.get(info.signo); event = build_record(Event, (row.action, 0, info));"
        " emit(event)"),
    "  + the probe check (emit_semaphore[0])": (
        "kill(pid, USR1); ticks, records, watched = wait(); info = records[0];"
        " row = BY_SIGNO.get(info.signo); event = build_record(Event, (row.action, 0, info));"
        " emit(event); emit_semaphore[0]"),
}
BASELINE = "kill only"


def program(statements: str, repeat: int, cold_ms: float, timed: bool) -> str:
    """The piece's whole script: set-up, then ``repeat`` iterations in a function
    (fast locals, as in the loop's own body), each timed when ``timed``."""
    inner = f"begin = clock(); {statements}; spent.append(clock() - begin)" if timed else statements
    pause = f"time.sleep({cold_ms / 1e3})" if cold_ms else "pass"
    return SETUP + f"""
def run(clock=time.perf_counter_ns):
    spent = []
    for _ in range({repeat}):
        {pause}
        {inner}
    return spent

spent = run()
if spent:
    spent.sort()
    print(spent[len(spent) // 2])
"""


def instructions(statements: str, repeat: int) -> int:
    """Instructions of a whole run under callgrind (hash seed fixed: runs alike)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", "-q", f"--callgrind-out-file={out}", PYTHON, "-c",
             program(statements, repeat, 0, timed=False)],
            check=True, env={**os.environ, "PYTHONHASHSEED": "0"}, timeout=300)
        return int(re.findall(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)[-1])


def median_ns(statements: str, repeat: int, cold_ms: float) -> int:
    result = subprocess.run([PYTHON, "-c", program(statements, repeat, cold_ms, timed=True)],
                            check=True, capture_output=True, text=True, timeout=600)
    return int(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1000)
    parser.add_argument("--cold-ms", type=float, default=0.0)
    parser.add_argument("--only", nargs="*", default=list(PIECES))
    args = parser.parse_args()
    names = [BASELINE, *(name for name in args.only if name != BASELINE)]
    costs, times = {}, {}
    for name in names:
        statements = PIECES[name]
        with_repeats, without = (instructions(statements, n) for n in (args.repeat, 0))
        costs[name] = (with_repeats - without) / args.repeat
        times[name] = median_ns(statements, args.repeat, args.cold_ms) / 1e3
    print(f"| piece | instructions over `{BASELINE}` | µs over `{BASELINE}` (median) |")
    print("|---|---|---|")
    for name in names:
        print(f"| {name} | {costs[name] - costs[BASELINE]:,.0f} "
              f"| {times[name] - times[BASELINE]:.2f} |")
    print(f"({BASELINE}: {costs[BASELINE]:,.0f} instructions, {times[BASELINE]:.2f} µs; "
          f"{args.repeat} iterations, {args.cold_ms} ms before each)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
