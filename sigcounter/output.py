"""The output edge: the original program's exact lines (or JSON), one ``write`` each."""

from __future__ import annotations

from sigcounter.events import DISPLAY, RESET, TICK, Event, Tick
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.signals import SIGHUP, SIGINT, SIGTERM, signal_name

if TYPE_CHECKING:
    from collections.abc import Callable

    Formatter = Callable[[Event | Tick], str]

# Go's os.Signal names, which the original prints in its shutdown line.
GO_SIGNAL_NAMES: dict[int, str] = {
    SIGTERM: "terminated", SIGINT: "interrupt", SIGHUP: "hangup",
}


RESET_LINE = "Resetting ticker count to zero\n"


def shutdown_line(signo: int) -> str:
    name = GO_SIGNAL_NAMES.get(signo) or signal_name(signo)
    return f"received {name} \N{EM DASH} shutting down\n"


def format_event(event: Event | Tick) -> str:
    """The original's line for ``event``; empty for a tick (it prints none)."""
    kind = event[0]
    if kind == DISPLAY:  # the hot path: its line is built here, not in a call
        return f"Ticker count: {event[1]}\n"
    if kind == RESET:
        return RESET_LINE
    if kind == TICK:
        return ""
    assert isinstance(event, Event)
    return shutdown_line(event.signo)


def sender_text(sender_pid: int, sender_uid: int) -> str:
    # siginfo carries pid 0 when the sender's PID is not visible from our
    # PID namespace (it lives in a parent or sibling namespace).
    if sender_pid == 0:
        return f"from a process outside this PID namespace, uid {sender_uid}"
    return f"from pid {sender_pid}, uid {sender_uid}"


def format_event_verbose(event: Event | Tick) -> str:
    """The original's line with the sender appended: ``... (from pid 42, uid 0)``."""
    line = format_event(event)
    if not line:
        return ""
    assert not isinstance(event, Tick)
    return f"{line[:-1]} ({sender_text(event.sender_pid, event.sender_uid)})\n"


def format_event_json(event: Event | Tick) -> str:
    """One JSON object on one line; the schema is in docs/json.md."""
    import json  # only paid for by --json

    record: dict[str, object] = {
        "event": event.kind, "count": event.total, "monotonic_ns": event.time_ns,
    }
    if isinstance(event, Tick):
        record["expirations"] = event.expirations
        record["lateness_ns"] = event.lateness_ns
    else:
        record["signal"] = signal_name(event.signo)
        record["sender_pid"] = event.sender_pid
        record["sender_uid"] = event.sender_uid
    return json.dumps(record, separators=(",", ":")) + "\n"


def format_dropped_json(lines: int) -> str:
    """The --json event for lines dropped while stdout was stalled."""
    import json
    import time

    record = {"event": "dropped", "lines": lines, "monotonic_ns": time.monotonic_ns()}
    return json.dumps(record, separators=(",", ":")) + "\n"


def pick_formatter(*, as_json: bool, verbose: bool) -> Formatter:
    if as_json:
        return format_event_json
    return format_event_verbose if verbose else format_event
