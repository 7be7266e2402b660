"""The output edge: the original program's exact lines (or JSON), one ``write`` each.

The words come from the signal table: each row's line, its fields (``{count}``
...) filled in. ``-v`` adds who sent the signal, told from its
``si_code``: the kernel (a terminal's Ctrl-C or hang-up), or a process, by
pid and uid, with the value of a ``sigqueue(3)``, or nobody known, when the
kernel's record says nothing.
"""

from __future__ import annotations

from _operator import itemgetter

from sigcounter.actions import COUNT, LINE_FIELDS, SINCE_RESET
from sigcounter.events import Event, Tick
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.signaltable import ROWS, Row

if TYPE_CHECKING:
    from collections.abc import Callable

    from sigcounter.kernel.siginfo import SigInfo

    Formatter = Callable[[Event | Tick], str]
    FieldValue = Callable[[Event], object]
    LineParts = tuple[str, FieldValue | None, str, tuple[tuple[FieldValue, str], ...]]


def _since_reset(event: Event) -> str:
    return f"{(event.signal.read_ns - event.reset_ns) / 1e9:.3f}s"


# How each line field is read off the event; the count through the C getter.
FIELD_VALUES: dict[str, FieldValue] = {
    COUNT: itemgetter(Event._fields.index("count")), SINCE_RESET: _since_reset,
}
if set(FIELD_VALUES) != set(LINE_FIELDS):
    raise ImportError(f"output.py reads {sorted(FIELD_VALUES)}, lines may show {LINE_FIELDS}")


def _line_parts(row: Row) -> LineParts:
    """``row``'s line as: its text up to the first field (the whole line if it
    has none), that field's value, the text after it, then each further field
    with the text after it; up to the newline."""
    texts, values = [""], []
    for text, field in row.parts:
        texts[-1] += text
        if field is not None:
            values.append(FIELD_VALUES[field])
            texts.append("")
    texts[-1] += "\n"
    if not values:
        return texts[0], None, "", ()
    return texts[0], values[0], texts[1], tuple(zip(values[1:], texts[2:], strict=True))


# Each row's line split once, here: a line is then built by concatenation,
# with no format string to parse per signal.
_LINE_PARTS = {row.signo: _line_parts(row) for row in ROWS}


def line_template(row: Row) -> tuple[bytes, bool] | None:
    """``row``'s line as bytes, ready for ``%``: ``(b"Ticker count: %d\\n", True)``,
    True when it shows the count (``template % count``), False when it shows
    no field (the bytes are the line). None when it shows another field: that
    line is built from its Event (``format_event``)."""
    head, value, tail, more = _line_parts(row)
    if value is None:
        return head.encode(), False
    if value is not FIELD_VALUES[COUNT] or more:
        return None
    return b"%d".join(text.encode().replace(b"%", b"%%") for text in (head, tail)), True


def line_templates() -> dict[int, tuple[bytes, bool]]:
    """The rows' lines that need no Event, by signal number (``line_template``):
    the loop writes these itself. ``bytes % int`` is the cheapest way from a
    count to its line: about 1,070 instructions against 1,670 for the f-string
    and ``encode()`` (callgrind, 10,000 in a loop)."""
    return {row.signo: template for row in ROWS if (template := line_template(row)) is not None}


def format_event(event: Event | Tick) -> str:
    """The original's line for ``event``; empty for a tick (it prints none)."""
    if event.__class__ is Tick:
        return ""
    head, value, tail, more = _LINE_PARTS[event.signal.signo]  # type: ignore[union-attr]
    if value is None:
        return head
    line = f"{head}{value(event)}{tail}"  # type: ignore[arg-type]
    if more:
        for value, text in more:
            line = f"{line}{value(event)}{text}"  # type: ignore[arg-type]
    return line


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
        "event": event.action.name, "count": event.count, "monotonic_ns": event.time_ns,
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
