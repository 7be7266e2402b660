"""The output edge: the original program's exact lines (or JSON), one ``write`` each.

The words come from the signal table: each row's line template, with
``{count}`` for the count. ``-v`` adds who sent the signal, told from its
``si_code``: the kernel (a terminal's Ctrl-C or hang-up), or a process, by
pid and uid, with the value of a ``sigqueue(3)``, or nobody known, when the
kernel's record says nothing.
"""

from __future__ import annotations

from sigcounter.events import TICK, Event, Tick
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.signaltable import ROWS

if TYPE_CHECKING:
    from collections.abc import Callable

    from sigcounter.kernel.siginfo import SigInfo

    Formatter = Callable[[Event | Tick], str]

# Each row's line split around "{count}" (or not containing it), so that a
# line is built by concatenation, with no format-string parsing per signal.
_LINE_PARTS: dict[int, tuple[str, str | None]] = {}
for _row in ROWS:
    _head, _marker, _tail = _row.line.partition("{count}")
    _LINE_PARTS[_row.signo] = (_head, _tail + "\n") if _marker else (_head + "\n", None)


def format_event(event: Event | Tick) -> str:
    """The original's line for ``event``; empty for a tick (it prints none)."""
    if event.kind == TICK:
        return ""
    head, tail = _LINE_PARTS[event.signal.signo]  # type: ignore[union-attr]
    return head if tail is None else f"{head}{event.count}{tail}"


def sender_text(info: SigInfo) -> str:
    """Who sent ``info``'s signal, for ``-v``: ``from pid 42, uid 1000``."""
    if info.from_kernel:
        return "from the kernel"
    # A process's signal carries pid 0 when the sender is not visible from
    # our PID namespace (it lives in a parent or sibling namespace), or when
    # the kernel kept no record of it: told apart only where the record is
    # something other than SI_USER, pid 0, uid 0.
    if info.sender_pid == 0:
        if info.sender_unknown:
            return "from an unknown sender"
        text = f"from a process outside this PID namespace, uid {info.sender_uid}"
    else:
        text = f"from pid {info.sender_pid}, uid {info.sender_uid}"
    return f"{text}, value {info.value_int}" if info.queued else text


def format_event_verbose(event: Event | Tick) -> str:
    """The original's line with the sender appended: ``... (from pid 42, uid 0)``."""
    line = format_event(event)
    if not line:
        return ""
    assert isinstance(event, Event)
    return f"{line[:-1]} ({sender_text(event.signal)})\n"


def _sender_fields(info: SigInfo) -> dict[str, object]:
    fields: dict[str, object] = {
        "sender": "kernel" if info.from_kernel else (
            "unknown" if info.sender_pid == 0 and info.sender_unknown else "process"),
        "sender_pid": info.sender_pid, "sender_uid": info.sender_uid, "si_code": info.code,
    }
    if info.queued:
        fields["value"] = info.value_int
    return fields


def format_event_json(event: Event | Tick) -> str:
    """One JSON object on one line; the schema is in docs/json.md."""
    import json  # only paid for by --json

    record: dict[str, object] = {
        "event": event.kind, "count": event.count, "monotonic_ns": event.time_ns,
    }
    if isinstance(event, Tick):
        record["expirations"] = event.expirations
        record["lateness_ns"] = event.lateness_ns
    else:
        from sigcounter.kernel.signals import signal_name

        record["signal"] = signal_name(event.signal.signo)
        record.update(_sender_fields(event.signal))
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
