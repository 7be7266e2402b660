"""The results as a Markdown table, the targets as ratios, and a PNG plot."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from measures import percentile

C, SC, SC_TIMEOUT, PLAIN = (
    "C (signalfd+timerfd+epoll)", "sig-counter", "sig-counter --tick-source timeout",
    "Python signal handlers + sleep",
)
# The standard-library ways of writing it, which the latency targets compare with.
STDLIB = (PLAIN, "Python sigtimedwait", "asyncio add_signal_handler")
# The program with an instrument on: the same loop body, returning per wake-up.
INSTRUMENTED = ("sig-counter --stats", "sig-counter --trace FILE")


def _rows(summary: dict[str, Any]) -> list[tuple[str, list[str]]]:
    programs = summary["programs"]
    base = summary["baseline_rss_kb"]

    def each(fn: Any) -> list[str]:
        return [fn(r) for r in programs.values()]

    return [
        ("first answer after spawn, ms (median)",
         each(lambda r: f"{statistics.median(r['first_answer_ms']):.1f}")),
        ("threads", each(lambda r: str(r["idle"]["threads"]))),
        (f"RSS idle, MiB (× bare CPython epoll, {base / 1024:.1f} MiB)",
         each(lambda r: f"{r['idle']['rss_kb'] / 1024:.1f} ({r['idle']['rss_kb'] / base:.2f}×)")),
        ("wake-ups per idle second", each(lambda r: f"{r['idle']['wakeups_per_s']:.2f}")),
        ("CPU per idle second, µs", each(lambda r: f"{r['idle']['cpu_us_per_idle_s']:.0f}")),
        ("syscalls per tick (50 Hz)", each(lambda r: f"{r['syscalls']['total_per_tick']:.2f}")),
        ("  by name", each(lambda r: ", ".join(
            f"{n} {v:.2f}" for n, v in r["syscalls"]["per_tick"].items() if v >= 0.01))),
        ("SIGUSR1 → line, p50 / p99 / max µs", each(lambda r: " / ".join(
            f"{percentile(r['latency_us'], p):.0f}" for p in (50, 99, 100)))),
        ("ticks counted across SIGSTOP", each(
            lambda r: f"{r['sigstop']['counted']} in {r['sigstop']['elapsed_s']:.2f} s")),
        ("20,000 SIGUSR1: alive, lines, rate after", each(lambda r: (
            f"{'yes' if r['flood']['alive'] else 'NO'}, "
            f"{'SIGUSR2 after it lost' if r['flood']['marker_lost'] else r['flood']['lines']}, "
            f"{r['flood']['rate_vs_expected']:.2f}×"))),
        *[(f"CPU per tick at {hz} Hz, µs", each(lambda r, hz=hz: f"{r['cpu_per_tick_us'][hz]:.1f}"))
          for hz in ("10", "100", "1000", "10000")],
        ("RSS at start → after N ticks at 1 kHz, MiB", each(lambda r: (
            f"{r['rss_growth']['rss_start_kb'] / 1024:.1f} → "
            f"{r['rss_growth']['rss_end_kb'] / 1024:.1f} ({r['rss_growth']['ticks']} ticks)"))),
    ]


def targets(summary: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(what, measured, met); met is None for a figure that is reported, not a target."""
    p = summary["programs"]
    c, sc, sct = p[C], p[SC], p[SC_TIMEOUT]
    stdlib = {name: p[name] for name in STDLIB if name in p}

    def ratio(a: float, b: float) -> float:
        return a / b if b else float("inf")

    def idle_cpu(name: str) -> float:
        return ratio(p[name]["idle"]["cpu_us_per_idle_s"], c["idle"]["cpu_us_per_idle_s"])

    p50, p99 = percentile(sc["latency_us"], 50), percentile(sc["latency_us"], 99)
    fastest50 = min(percentile(r["latency_us"], 50) for r in stdlib.values())
    # p99 at most every standard-library program's: at most the lowest of them.
    lowest99 = min(percentile(r["latency_us"], 99) for r in stdlib.values())
    rss = ratio(sc["idle"]["rss_kb"], summary["baseline_rss_kb"])
    growth = sc["rss_growth"]["rss_end_kb"] - sc["rss_growth"]["rss_start_kb"]
    wakeups = sc["idle"]["wakeups_per_s"]
    rows = [
        ("syscalls per idle tick, timerfd = 2.00", f"{sc['syscalls']['total_per_tick']:.2f}",
         round(sc["syscalls"]["total_per_tick"], 2) == 2.00),
        ("syscalls per idle tick, timeout = 1.00", f"{sct['syscalls']['total_per_tick']:.2f}",
         round(sct["syscalls"]["total_per_tick"], 2) == 1.00),
        ("wake-ups per tick = 1.00 (1 Hz)", f"{wakeups:.2f}", round(wakeups, 1) == 1.0),
        ("threads = 1", str(sc["idle"]["threads"]), sc["idle"]["threads"] == 1),
        ("CPU per idle second ≤ 1.2× C, no instrument", f"{idle_cpu(SC):.2f}×",
         idle_cpu(SC) <= 1.2),
    ]
    rows += [(f"CPU per idle second with {name[len(SC) + 1:]}", f"{idle_cpu(name):.2f}× C", None)
             for name in INSTRUMENTED if name in p]
    rows += [
        ("USR1 p50 ≤ the fastest standard-library p50",
         f"{p50:.0f} vs {fastest50:.0f} µs", p50 <= fastest50),
        ("USR1 p50 ≤ 1.3× C", f"{ratio(p50, percentile(c['latency_us'], 50)):.2f}×",
         ratio(p50, percentile(c["latency_us"], 50)) <= 1.3),
        ("USR1 p99 ≤ every standard-library p99", f"{p99:.0f} vs {lowest99:.0f} µs",
         p99 <= lowest99),
        ("SIGSTOP: every tick counted", f"{sc['sigstop']['counted']} in "
         f"{sc['sigstop']['elapsed_s']:.2f} s",
         sc["sigstop"]["counted"] >= int(sc["sigstop"]["elapsed_s"])),
        ("flood: alive, rate right after = 1.00×", f"{sc['flood']['rate_vs_expected']:.2f}×",
         bool(sc["flood"]["alive"]) and round(sc["flood"]["rate_vs_expected"], 2) >= 0.99),
        ("RSS ≤ 1.15× bare CPython in epoll", f"{rss:.2f}×", rss <= 1.15),
        ("no RSS growth over the 1 kHz run", f"{growth:+d} KiB", growth <= 0),
    ]
    return rows


def _met(ok: bool | None) -> str:
    return "reported" if ok is None else "yes" if ok else "**no**"


def table(summary: dict[str, Any]) -> str:
    names = list(summary["programs"])
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in _rows(summary)]
    lines += ["", "| target (sig-counter) | measured | met |", "|---|---|---|"]
    lines += [f"| {what} | {value} | {_met(ok)} |" for what, value, ok in targets(summary)]
    m = summary["machine"]
    lines += ["", f"{m['cpu']}, {m['cores']} cores, Linux {m['kernel']}, Python {m['python']}, "
              f"{m['date']}; the whole run took {summary['seconds']} s."]
    return "\n".join(lines) + "\n"


def plot(summary: dict[str, Any], output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, cost) = plt.subplots(1, 2, figsize=(12, 4.8))
    for name, result in summary["programs"].items():
        values = sorted(result["latency_us"])
        latency.plot(values, [(i + 1) / len(values) for i in range(len(values))], label=name)
        rates = sorted(result["cpu_per_tick_us"], key=float)
        cost.plot([float(r) for r in rates], [result["cpu_per_tick_us"][r] for r in rates],
                  "o-", label=name)
    latency.set_xscale("log")
    latency.set_xlabel("kill(SIGUSR1) → line read back, µs")
    latency.set_ylabel("fraction of signals")
    latency.set_title("SIGUSR1 latency (CDF)")
    cost.set_xscale("log")
    cost.set_yscale("log")
    cost.set_xlabel("tick rate, Hz")
    cost.set_ylabel("CPU per tick, µs")
    cost.set_title("CPU per tick against tick rate")
    cost.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(output, dpi=110)
