"""Render a sig-counter --trace file as a PNG timeline.

    python tools/render_trace.py trace.json out.png

Three panels on one time axis: what the thread was doing (asleep in
epoll_pwait, woken for a tick, or dispatching a signal), the count, and the
timings (each tick's lateness, each signal's dispatch time). Needs matplotlib
(``pip install '.[docs]'``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

SIGNAL_COLOURS = {"SIGUSR1": "tab:blue", "SIGUSR2": "tab:orange", "SIGTERM": "tab:red",
                  "SIGINT": "tab:red"}


def load(path: Path) -> list[dict[str, Any]]:
    text = path.read_text().rstrip()
    return list(json.loads(text if text.endswith("]") else text.rstrip(",") + "]"))


def render(events: list[dict[str, Any]], output: Path) -> None:
    start = min(e["ts"] for e in events if e["ph"] != "M")

    def seconds(ts: float) -> float:
        return (ts - start) / 1e6

    slices = [e for e in events if e["ph"] == "X"]
    waits = [(seconds(e["ts"]), e["dur"] / 1e6) for e in slices if e["name"] == "epoll_pwait"]
    ticks = [e for e in events if e["ph"] == "i" and e.get("cat") == "tick"]
    signals = [e for e in slices if e["cat"] == "dispatch"]
    counts = [(seconds(e["ts"]), e["args"]["value"]) for e in events
              if e["ph"] == "C" and e["name"] == "count"]

    figure, (timeline, count_axis, timing) = plt.subplots(
        3, 1, figsize=(11, 6.5), sharex=True, gridspec_kw={"height_ratios": [1.1, 1.4, 1.6]}
    )
    figure.suptitle("sig-counter --trace: one thread, one epoll_pwait per wake-up")
    timeline.broken_barh(waits, (0.6, 0.8), color="0.85", label="asleep in epoll_pwait")
    timeline.vlines([seconds(e["ts"]) for e in ticks], 0.1, 0.5, color="0.2", lw=1,
                    label="tick")
    last_label_x, height = float("-inf"), 1.5
    for event in signals:
        x = seconds(event["ts"])
        # Signals handled in one wake-up share an x: stack their labels.
        height = height + 0.3 if x - last_label_x < 0.05 * seconds(slices[-1]["ts"]) else 1.5
        last_label_x = x
        timeline.vlines(x, 0.1, height, color=SIGNAL_COLOURS.get(event["name"], "tab:purple"),
                        lw=2)
        timeline.annotate(event["name"], (x, height), xytext=(2, 0), textcoords="offset points",
                          fontsize=8, va="bottom")
    timeline.set_yticks([])
    timeline.set_ylim(0, 2.6)
    timeline.legend(loc="upper left", fontsize=8, ncols=2, framealpha=0.9)

    xs, ys = zip(*counts, strict=True) if counts else ((), ())
    count_axis.step(xs, ys, where="post", color="tab:green")
    count_axis.set_ylabel("count")
    count_axis.yaxis.set_major_locator(MaxNLocator(integer=True))

    timing.plot([seconds(e["ts"]) for e in ticks],
                [e["args"]["lateness_us"] for e in ticks], "o", ms=3, label="tick lateness")
    timing.plot([seconds(e["ts"]) for e in signals], [e["dur"] for e in signals], "^", ms=6,
                label="signal dispatch (incl. write)")
    timing.set_yscale("log")
    timing.set_ylabel("µs")
    timing.set_xlabel("seconds since the timer was armed")
    timing.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(output, dpi=110)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    render(load(Path(argv[0])), Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
