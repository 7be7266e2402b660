"""Where sig-counter's SIGUSR1 latency goes: the program beside the C floor,
the standard-library ways, and the native wait with bare Python on it.

    .venv/bin/python bench/latency_floor.py [--rounds N]

Interleaved rounds, as in run.py. ``native floor +3 calls`` is the floor with
three trivial Python calls between the wake-up and the write: about what
sig-counter's path adds (LoopWait.wait, the writer's emit, the formatter).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import measures
from report import C, percentile
from run import PYTHON, SIG_COUNTER, build_c

HERE = Path(__file__).resolve().parent


def programs(c_binary: Path) -> dict[str, measures.Argv]:
    """The programs compared, by name: the floors, the standard-library ways, sig-counter."""
    floor = str(HERE / "comparators" / "native_floor.py")
    return {
        C: lambda i: [str(c_binary), "--interval", f"{i}"],
        "Python signal handlers + sleep": lambda i: [
            PYTHON, str(HERE / "comparators" / "plain_handlers.py"), "--interval", f"{i}"],
        "Python sigtimedwait": lambda i: [
            PYTHON, str(HERE / "comparators" / "sigtimedwait_counter.py"), "--interval", f"{i}"],
        "native floor": lambda i: [PYTHON, floor, "--interval", f"{i}"],
        "native floor +3 calls": lambda i: [PYTHON, floor, "--interval", f"{i}", "--frames", "3"],
        "sig-counter": lambda i: [SIG_COUNTER, "--interval", f"{i}"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    latencies = measures.usr1_latency_us(programs(build_c(args.out)), args.rounds)
    c50 = percentile(latencies[C], 50)
    print("| program | p50 µs | p99 µs | p50 vs C |\n|---|---|---|---|")
    for name, values in latencies.items():
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {p50 / c50:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
