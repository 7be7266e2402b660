"""The output edge, pure part: each event formats to the original's exact bytes,
and -v and --json tell the sender truthfully from its si_code."""

from __future__ import annotations

import json
import signal

import pytest
from support import siginfo

from sigcounter import output
from sigcounter.actions import COUNT, DISPLAY, RESET, SHUTDOWN, SINCE_RESET, Action
from sigcounter.events import Event
from sigcounter.kernel.siginfo import SI_KERNEL, SI_QUEUE, SI_USER
from sigcounter.output import (
    format_event,
    format_event_json,
    format_event_verbose,
    line_template,
    line_templates,
)
from sigcounter.signaltable import ROWS, Row


def _event(action: Action, count: int = 0, signo: int = signal.SIGUSR1, **sender: int
           ) -> Event:
    return Event(action, count, 0, siginfo(signo, **({"sender_pid": 1} | sender)))


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(DISPLAY, 42), b"Ticker count: 42\n"),
        (_event(RESET, 0, signal.SIGUSR2), b"Resetting ticker count to zero\n"),
        (
            _event(SHUTDOWN, 3, signal.SIGTERM),
            b"received terminated \xe2\x80\x94 shutting down\n",
        ),
        (
            _event(SHUTDOWN, 3, signal.SIGINT),
            b"received interrupt \xe2\x80\x94 shutting down\n",
        ),
        (
            _event(SHUTDOWN, 3, signal.SIGHUP),
            b"received hangup \xe2\x80\x94 shutting down\n",
        ),
    ],
)
def test_lines_are_byte_identical_to_the_original(event: Event, expected: bytes) -> None:
    """Each event formats to the Go program's line, em dash included."""
    assert format_event(event).encode() == expected


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("{count} ticks in {since_reset}", "7 ticks in 2.500s\n"),
        ("since {since_reset}, {count}!", "since 2.500s, 7!\n"),
        ("{since_reset}", "2.500s\n"),
    ],
)
def test_a_line_shows_any_field_its_action_gives(
    monkeypatch: pytest.MonkeyPatch, line: str, shown: str,
) -> None:
    """A row's fields, in any number and place, are filled from the event: the
    count, and the time from the last reset to the signal's read."""
    action = Action("since", probe_code=9, fields=(COUNT, SINCE_RESET))
    row = Row("SIGWINCH", action, line)
    monkeypatch.setitem(output._LINE_PARTS, row.signo, output._line_parts(row))
    event = Event(action, 7, 500_000_000, siginfo(signal.SIGWINCH, read_ns=3_000_000_000))
    assert format_event(event) == shown


@pytest.mark.parametrize(
    ("sender", "said"),
    [
        ({"code": SI_USER, "sender_pid": 4242, "sender_uid": 1000}, "from pid 4242, uid 1000"),
        ({"code": SI_KERNEL, "sender_pid": 0}, "from the kernel"),
        ({"code": SI_USER, "sender_pid": 0, "sender_uid": 0}, "from an unknown sender"),
        ({"code": SI_USER, "sender_pid": 0, "sender_uid": 1000},
         "from a process outside this PID namespace, uid 1000"),
        ({"code": SI_QUEUE, "sender_pid": 7, "sender_uid": 0, "value": 42},
         "from pid 7, uid 0, value 42"),
        ({"code": SI_QUEUE, "sender_pid": 0, "sender_uid": 5, "value": -1},
         "from a process outside this PID namespace, uid 5, value -1"),
    ],
)
def test_verbose_names_the_sender_by_its_si_code(sender: dict[str, int], said: str) -> None:
    """The kernel (a terminal's Ctrl-C or hang-up) is not a process; pid 0
    from kill(2) or sigqueue(3) is one outside the namespace, unless the record
    says nothing at all (SI_USER, pid 0, uid 0): unknown; a sigqueue value is shown."""
    line = format_event_verbose(_event(SHUTDOWN, 1, signal.SIGINT, **sender))
    assert line == f"received interrupt \N{EM DASH} shutting down ({said})\n"


def test_json_tells_the_kernel_from_a_process_and_shows_a_queued_value() -> None:
    """--json: "sender" is "kernel" or "process", si_code is given, and
    "value" appears only for sigqueue(3)."""
    kernel = json.loads(format_event_json(_event(SHUTDOWN, 2, signal.SIGINT, code=SI_KERNEL,
                                                 sender_pid=0)))
    queued = json.loads(format_event_json(_event(DISPLAY, 2, code=SI_QUEUE, sender_pid=9,
                                                 value=42)))
    plain = json.loads(format_event_json(_event(DISPLAY, 2, sender_pid=9)))
    assert (kernel["sender"], kernel["si_code"], kernel["sender_pid"]) == ("kernel", SI_KERNEL, 0)
    assert "value" not in kernel and "value" not in plain
    assert (queued["sender"], queued["value"], queued["si_code"]) == ("process", 42, SI_QUEUE)
    assert plain["signal"] == "SIGUSR1" and plain["sender"] == "process"


def test_json_says_unknown_when_the_record_says_nothing() -> None:
    """--json: SI_USER with pid 0 and uid 0 is "sender":"unknown"; pid 0 with
    another uid is still a process (outside the PID namespace)."""
    unknown = json.loads(format_event_json(_event(DISPLAY, 2, sender_pid=0, sender_uid=0)))
    outside = json.loads(format_event_json(_event(DISPLAY, 2, sender_pid=0, sender_uid=7)))
    assert (unknown["sender"], unknown["sender_pid"], unknown["si_code"]) == ("unknown", 0, SI_USER)
    assert (outside["sender"], outside["sender_uid"]) == ("process", 7)


@pytest.mark.parametrize("row", [row for row in ROWS if row.signo in line_templates()],
                         ids=lambda row: row.name)
@pytest.mark.parametrize("count", [0, 7, 10**12])
def test_a_line_template_makes_the_formatters_exact_bytes(row: Row, count: int) -> None:
    """Every row's bytes template (a row whose line shows more than the count
    has none), filled with a count, is byte for byte the line format_event
    makes from that row's Event."""
    template, shows_count = line_templates()[row.signo]
    line = template % count if shows_count else template
    assert line == format_event(_event(row.action, count, row.signo)).encode()


@pytest.mark.parametrize(
    ("line", "template"),
    [("100% at {count}", (b"100%% at %d\n", True)), ("100%", (b"100%\n", False))],
)
def test_a_percent_sign_in_a_line_stays_a_percent_sign(line: str, template: object) -> None:
    """A line's own ``%`` is escaped in a template that is filled with ``%``,
    and left alone in one that is written as it is."""
    assert line_template(Row("SIGWINCH", DISPLAY, line)) == template


def test_a_line_showing_another_field_has_no_template() -> None:
    """A line that shows more than the count is built from its Event, not a template."""
    action = Action("since", probe_code=9, fields=(COUNT, SINCE_RESET))
    assert line_template(Row("SIGWINCH", action, "{count} in {since_reset}")) is None
    assert line_template(Row("SIGWINCH", action, "{since_reset}")) is None
