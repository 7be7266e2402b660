"""Soak sig-counter (in the bench, not in CI):

    .venv/bin/python bench/soak.py [--minutes N] [--skip-flood]

(a) a 100,000-SIGUSR1 flood: the program is alive afterwards and ticks at the
    right rate right after it;
(b) N minutes (default 10) at 1 kHz (`--json -v --interval 0.001`) with
    SIGUSR1 and SIGUSR2 at random intervals: RSS sampled every 5 s must stay
    flat after the first quarter (warm-up), the count must be exact (every
    object's count is the running sum of the ticks' expirations since the last
    reset, the ticks counted equal the intervals from the first tick's due time
    to the last's, and at the end the count equals the ticks due since the last
    reset), and every SIGUSR1 must be
    answered (each is sent only once the one before was answered, so none can
    merge with another).

Prints what it measured and exits 1 if any check failed. Every wait has a
deadline; the program is killed by its PID on the way out.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import signal
import sys
import threading
import time

from measures import percentile
from procs import SIG_COUNTER, Child, NoLine, rss_kb

DEADLINE = 5.0
RSS_GROWTH_LIMIT_KB = 512  # "flat": less than this from the second quarter to the last
RESET_LINE = b"Resetting ticker count to zero\n"


def start(*options: str) -> Child:
    """sig-counter started with ``options`` and ready; killed by its PID on the way out."""
    program = Child([str(SIG_COUNTER), *options], deadline=DEADLINE)
    try:
        program.wait_ready()
    except NoLine as not_ready:
        program.stop()
        raise SystemExit(f"soak: sig-counter did not start: {not_ready}") from None
    return program


# --- (a) the flood ----------------------------------------------------------------

def flood(total: int) -> bool:
    interval = 0.001
    program = start("--interval", f"{interval}")

    def ask() -> tuple[int, float]:
        return program.count(skip_other_lines=True), time.monotonic()

    try:
        rss_before = rss_kb(program.pid)
        began = time.monotonic()
        for _ in range(total):
            program.send(signal.SIGUSR1)
        program.send(signal.SIGUSR2)  # once its line is out, the flood is over
        sent_s = time.monotonic() - began
        answers = program.drain_until(RESET_LINE, timeout=60)
        over_s = time.monotonic() - began
        alive = program.proc.poll() is None
        first, first_at = ask()
        time.sleep(2.0)
        last, last_at = ask()
        rate = (last - first) / (last_at - first_at)
        rss_after = rss_kb(program.pid)
        good = alive and abs(rate * interval - 1) < 0.02
        print(f"(a) flood: {total} SIGUSR1 sent in {sent_s:.2f} s, all handled by {over_s:.2f} s; "
              f"{answers} lines (standard signals merge while pending); alive: {alive}; "
              f"right after: {rate:.1f} ticks/s ({1 / interval:.0f} due); "
              f"RSS {rss_before} -> {rss_after} KiB; {'PASS' if good else 'FAIL'}")
        return good
    finally:
        program.stop()


# --- (b) minutes at 1 kHz with random signals ---------------------------------------

class Checker:
    """Reads the --json -v stream and checks every object as it comes."""

    def __init__(self, program: Child, interval_ns: int) -> None:
        self.interval_ns = interval_ns
        self.count = 0
        self.last_due = 0  # due time of the last tick counted
        self.due_at_reset = 0  # due time of the last tick counted before the last reset
        self.ticks = self.displays = self.resets = 0
        self.first_due = self.first_expirations = 0
        self.worst_residual = self.schedule_misses = 0
        self.errors: list[str] = []
        self.answers: queue.Queue[str] = queue.Queue()
        self.shutdown: dict[str, object] | None = None
        self.thread = threading.Thread(target=self._read, args=(program.out,), daemon=True)
        self.thread.start()

    def _error(self, text: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(text)

    def _read(self, lines: queue.Queue[bytes | None]) -> None:
        for raw in iter(lines.get, None):  # the harness's reader ends it with None
            try:
                self._check(json.loads(raw))
            except ValueError:
                self._error(f"not a whole JSON line: {raw[:80]!r}")

    def _check(self, event: dict[str, object]) -> None:
        kind = event["event"]
        if kind == "tick":
            self._tick(event)
        elif kind in ("display", "reset", "shutdown"):
            expected = 0 if kind == "reset" else self.count
            if event["count"] != expected:
                self._error(f"{kind} says {event['count']}, the ticks say {expected}")
            if kind == "reset":
                self.count, self.due_at_reset = 0, self.last_due
                self.resets += 1
            elif kind == "display":
                self.displays += 1
            else:
                self.shutdown = event
            self.answers.put(str(kind))
        else:
            self._error(f"unexpected event {event}")

    def _tick(self, event: dict[str, object]) -> None:
        expirations = int(event["expirations"])  # type: ignore[call-overload]
        due = int(event["monotonic_ns"]) - int(event["lateness_ns"])  # type: ignore[call-overload]
        # monotonic_ns and lateness_ns come from one clock reading, so the due
        # time is exactly on the schedule's grid: each step must be exactly
        # ``expirations`` intervals.
        if self.last_due:
            apart = due - self.last_due
            gap = round(apart / self.interval_ns)
            self.worst_residual = max(self.worst_residual, abs(apart - gap * self.interval_ns))
            if gap != expirations:
                self.schedule_misses += 1
        else:
            self.first_due, self.first_expirations = due, expirations
        self.last_due = due
        self.count += expirations
        self.ticks += expirations
        if event["count"] != self.count:
            self._error(f"tick says count {event['count']}, the ticks add up to {self.count}")


def random_signals(minutes: float, seed: int) -> bool:
    interval_ns = 1_000_000
    rng = random.Random(seed)
    program = start("--json", "-v", "--interval", "0.001")
    checker = Checker(program, interval_ns)
    rss: list[tuple[float, int]] = []
    sent = {"SIGUSR1": 0, "SIGUSR2": 0}
    lost = 0
    latencies: list[float] = []
    began = time.monotonic()
    next_rss = began
    try:
        while time.monotonic() - began < minutes * 60:
            if time.monotonic() >= next_rss:
                rss.append((time.monotonic() - began, rss_kb(program.pid)))
                next_rss += 5.0
            time.sleep(rng.uniform(0.0, 0.05))  # random gap, 25 ms on average
            signum = signal.SIGUSR1 if rng.random() < 0.9 else signal.SIGUSR2
            sent[signal.Signals(signum).name] += 1
            asked = time.monotonic()
            program.send(signum)
            try:
                checker.answers.get(timeout=DEADLINE)
                latencies.append(time.monotonic() - asked)
            except queue.Empty:
                lost += 1
        rss.append((time.monotonic() - began, rss_kb(program.pid)))
        program.send(signal.SIGTERM)
        status = program.wait_exit()
        checker.thread.join(timeout=DEADLINE)
    finally:
        program.stop()
    return report(minutes, checker, sent, lost, latencies, rss, status)


def report(minutes: float, checker: Checker, sent: dict[str, int], lost: int,
           latencies: list[float], rss: list[tuple[float, int]], status: int) -> bool:
    shutdown = checker.shutdown or {}
    # The count at the end against the ticks due since the last reset.
    due_since_reset = round((checker.last_due - checker.due_at_reset) / checker.interval_ns)
    due_in_run = round((checker.last_due - checker.first_due) / checker.interval_ns)
    whole_run = checker.ticks == due_in_run + checker.first_expirations
    exact = (shutdown.get("count") == checker.count == due_since_reset and whole_run
             and not checker.errors)
    # The first quarter is warm-up (allocator arenas, the JSON encoder's
    # caches); flat means the last quarter grew no further than the second.
    quarter = max(1, len(rss) // 4)
    early = max(kb for _, kb in rss[quarter:2 * quarter] or rss)
    late = max(kb for _, kb in rss[-quarter:])
    flat = late - early < RSS_GROWTH_LIMIT_KB
    answered = (lost == 0 and checker.displays == sent["SIGUSR1"]
                and checker.resets == sent["SIGUSR2"])
    p50, p99 = (percentile(latencies, q) * 1e6 for q in (50, 99))
    print(f"(b) {minutes:g} min at 1 kHz: {checker.ticks} ticks; "
          f"sent {sent['SIGUSR1']} SIGUSR1 / {sent['SIGUSR2']} SIGUSR2, answered "
          f"{checker.displays} / {checker.resets} (lost {lost}), answer p50 {p50:.0f} us "
          f"p99 {p99:.0f} us")
    print(f"    count at the end {shutdown.get('count')}, ticks due since the last reset "
          f"{due_since_reset}; ticks counted {checker.ticks}, due from the first tick to the last "
          f"{due_in_run + checker.first_expirations}; count errors: {len(checker.errors)} "
          f"{checker.errors[:3]}")
    print(f"    tick due times (monotonic_ns - lateness_ns): worst distance from the 1 ms grid "
          f"{checker.worst_residual / 1000:.0f} us; steps off by a whole tick: "
          f"{checker.schedule_misses}")
    print(f"    RSS (KiB) every 5 s: first {rss[0][1]}, max of the second quarter {early}, "
          f"max of the last quarter {late}, last {rss[-1][1]} ({len(rss)} samples)")
    on_grid = checker.worst_residual == 0 and checker.schedule_misses == 0
    good = exact and answered and flat and on_grid and status == 0
    print(f"    exit status {status}; count exact: {exact}; no line lost: {answered}; "
          f"RSS flat: {flat}; due times on the grid: {on_grid}; {'PASS' if good else 'FAIL'}")
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--flood", type=int, default=100_000, help="SIGUSR1s in (a)")
    parser.add_argument("--skip-flood", action="store_true")
    parser.add_argument("--seed", type=int, default=9)
    options = parser.parse_args()
    good = options.skip_flood or flood(options.flood)
    good = random_signals(options.minutes, options.seed) and good
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
