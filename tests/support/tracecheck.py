"""A checker for Chrome Trace Event files, as far as this program writes them.

Written from the Trace Event Format's rules: every event has name, ph, ts,
pid and tid; complete events ("X") carry a non-negative dur; instant events
("i") a scope; counters ("C") numeric args; metadata ("M") a name argument.
On one thread, complete events must nest (never overlap partly), and this
program writes events in time order.
"""

from __future__ import annotations

import json
from typing import Any

PHASES = {"X", "i", "C", "M"}
# Times are float microseconds; viewers round them to whole nanoseconds, so
# a sum like ts + dur may overshoot the next ts by float noise, not more.
NANOSECOND = 0.001


def load_trace(text: str) -> list[dict[str, Any]]:
    """The events of a JSON Array Format trace; the closing ] is optional."""
    stripped = text.rstrip()
    if not stripped.endswith("]"):
        stripped = stripped.rstrip(",") + "]"
    events = json.loads(stripped)
    assert isinstance(events, list)
    return events


def check_trace(events: list[dict[str, Any]]) -> None:
    last_ts = float("-inf")
    open_slices: list[tuple[float, float]] = []
    for event in events:
        for field in ("name", "ph", "ts", "pid", "tid"):
            assert field in event, (field, event)
        assert event["ph"] in PHASES, event
        assert isinstance(event["ts"], int | float), event
        assert event["ts"] >= last_ts, ("time went backwards", event)
        last_ts = event["ts"]
        if event["ph"] == "X":
            assert event["dur"] >= 0, event
            begin, end = event["ts"], event["ts"] + event["dur"]
            while open_slices and open_slices[-1][1] <= begin + NANOSECOND:
                open_slices.pop()
            if open_slices:
                assert end <= open_slices[-1][1] + NANOSECOND, ("slices overlap partly", event)
            open_slices.append((begin, end))
        elif event["ph"] == "i":
            assert event["s"] in {"t", "p", "g"}, event
        elif event["ph"] == "C":
            assert event["args"] and all(
                isinstance(v, int | float) for v in event["args"].values()
            ), event
        elif event["ph"] == "M":
            assert isinstance(event["args"]["name"], str), event
