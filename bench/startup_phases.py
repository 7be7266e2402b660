"""What a signal does at each step of the interpreter's own start-up, before the
launcher's first statement blocks the signals (tests/support/startup.py):
one start-up per system call, the signal delivered as that call is entered.
With --delays, the signal is sent instead some milliseconds after spawn, as a
script might, RUNS times per delay, and the outcomes are counted.

    python bench/startup_phases.py [--python-m] [--signal INT|USR1] [--step N]
                                   [--delays MS,MS,... [--runs RUNS]] [BIN_DIR...]

BIN_DIR is a venv's bin/ (default: this interpreter's). For each, prints every
stretch of steps with one outcome and the system call it begins at, or each
delay's outcomes.
"""

from __future__ import annotations

import argparse
import collections
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import Child
from support.startup import fate, signal_at_step, start_up_steps


def stretches(python: Path, argv: list[str], signum: int, every: int) -> None:
    """Print each run of steps whose signal came to the same outcome."""
    steps = start_up_steps(argv)
    version = subprocess.run([python, "-V"], capture_output=True, text=True).stdout.strip()
    print(f"== {version}, {' '.join(argv[-2:])}, {signal.Signals(signum).name}: "
          f"{len(steps)} system calls up to the first statement", flush=True)
    previous = ""
    for index, step in enumerate(steps):
        if index % every and index != len(steps) - 1:
            continue
        outcome = str(signal_at_step(argv, step, signum))
        if outcome != previous:
            print(f"  from step {index + 1:4}: {outcome:70} {step.line[:90]}", flush=True)
            previous = outcome


def after_delays(argv: list[str], signum: int, delays: list[float], runs: int) -> None:
    """Print, for each delay, how often each outcome came."""
    for delay in delays:
        outcomes: collections.Counter[str] = collections.Counter()
        for _ in range(runs):
            with Child(argv) as run:
                until = time.monotonic() + delay / 1000
                while time.monotonic() < until:  # busy: sleep() is too coarse at 1 ms
                    pass
                run.send(signum)
                outcomes[str(fate(run, signum))] += 1
        print(f"  {delay:5g} ms: " + "; ".join(f"{count} {what}" for what, count in
                                               outcomes.most_common()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python-m", action="store_true", help="python -m sigcounter")
    parser.add_argument("--signal", default="INT", choices=["INT", "USR1"])
    parser.add_argument("--step", type=int, default=1, help="try every Nth system call")
    parser.add_argument("--delays", help="milliseconds after spawn, comma-separated")
    parser.add_argument("--runs", type=int, default=20, help="runs per delay")
    parser.add_argument("bins", nargs="*", type=Path, default=[Path(sys.executable).parent])
    args = parser.parse_args()
    for bin_dir in args.bins:
        python = bin_dir / "python"
        argv = ([str(python), "-m", "sigcounter"] if args.python_m
                else [str(bin_dir / "sig-counter")])
        signum = signal.Signals[f"SIG{args.signal}"]
        if args.delays:
            print(f"== {bin_dir}, {' '.join(argv[-2:])}, {signum.name}", flush=True)
            after_delays(argv, signum, [float(ms) for ms in args.delays.split(",")], args.runs)
        else:
            stretches(python, argv, signum, args.step)


if __name__ == "__main__":
    main()
