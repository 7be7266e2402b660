"""The sd_notify protocol's pure parts: addresses, the watchdog period, the messages."""

from __future__ import annotations

import signal

import pytest
from support import siginfo

from sigcounter.actions import DISPLAY, RESET, SHUTDOWN, TICK, Action
from sigcounter.events import Event, Tick
from sigcounter.notify import notifying, socket_address, watchdog_period_ns


@pytest.mark.parametrize(
    ("name", "address"),
    [("/run/systemd/notify", "/run/systemd/notify"), ("@sd-notify", b"\0sd-notify"),
     ("@", None), ("relative/path", None), ("vsock:2:1234", None)],
)
def test_notify_socket_forms(name: str, address: str | bytes | None) -> None:
    """A path is used as is, @name becomes the abstract \\0name, anything else is refused."""
    assert socket_address(name) == address


@pytest.mark.parametrize(
    ("environ", "period_ns"),
    [({}, None), ({"WATCHDOG_USEC": "10000000"}, 5_000_000_000),
     ({"WATCHDOG_USEC": "3", "WATCHDOG_PID": "42"}, 1_500),
     ({"WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "43"}, None),
     ({"WATCHDOG_PID": "42"}, None)],
)
def test_watchdog_period_is_half_of_watchdog_usec_for_us(
    environ: dict[str, str], period_ns: int | None
) -> None:
    """WATCHDOG_USEC / 2, when WATCHDOG_PID is unset or is this process (pid 42 here)."""
    assert watchdog_period_ns(environ, 42) == period_ns


@pytest.mark.parametrize("usec", ["0", "-5", "1.5", "ten", "\u0661"])
def test_a_bad_watchdog_usec_is_refused(usec: str) -> None:
    """A WATCHDOG_USEC that is not a positive whole number is a ValueError, not a guess."""
    with pytest.raises(ValueError, match="WATCHDOG_USEC"):
        watchdog_period_ns({"WATCHDOG_USEC": usec}, 42)


def _event(action: Action, count: int, signo: int) -> Event:
    return Event(action, count, 0, siginfo(signo, sender_pid=4242))


def test_status_after_each_line_and_stopping_before_the_last() -> None:
    """STATUS= follows each handled signal's line; STOPPING=1 comes before the shutdown
    line, and may wait for room; a tick passes through without a message."""
    happened: list[object] = []

    def send(*assignments: str, wait: bool = False) -> None:
        happened.append((*assignments, "waits") if wait else assignments)

    emit = notifying(happened.append, send, "1s")
    events: list[Event | Tick] = [
        _event(DISPLAY, 3, signal.SIGUSR1), Tick(TICK, 4, 1, 0, 0),
        _event(RESET, 0, signal.SIGUSR2), _event(SHUTDOWN, 2, signal.SIGTERM),
    ]
    for event in events:
        emit(event)
    assert happened == [
        events[0], ("STATUS=ticking every 1s; count 3 at SIGUSR1",),
        events[1],
        events[2], ("STATUS=ticking every 1s; count 0 at SIGUSR2",),
        ("STOPPING=1", "STATUS=stopping on SIGTERM; count 2", "waits"), events[3],
    ]
