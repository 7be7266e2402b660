"""Notifier against real AF_UNIX datagram sockets: both address forms, and failures."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DEADLINE

from sigcounter.notify import Notifier


def _receiver(address: str | bytes) -> socket.socket:
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    receiver.bind(address)
    receiver.settimeout(DEADLINE)
    return receiver


@pytest.fixture(params=["path", "abstract"])
def bound(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """A receiving socket and its NOTIFY_SOCKET name, in each address form."""
    if request.param == "path":
        name = str(tmp_path / "notify")
        receiver = _receiver(name)
    else:
        name = f"@sig-counter-test-{os.getpid()}-{time.monotonic_ns()}"
        receiver = _receiver(b"\0" + name[1:].encode())
    with receiver:
        yield name, receiver


def test_one_datagram_per_send_with_its_lines(bound: tuple[str, socket.socket]) -> None:
    """Each send is one datagram of KEY=value lines, received in order."""
    name, receiver = bound
    reports: list[str] = []
    notifier = Notifier(name, reports.append)
    try:
        notifier.ready("1s")
        notifier.send("WATCHDOG=1")
        assert receiver.recv(4096) == b"READY=1\nSTATUS=ticking every 1s; no signal yet"
        assert receiver.recv(4096) == b"WATCHDOG=1"
    finally:
        notifier.close()
    assert reports == []


def test_a_socket_that_went_away_is_reported_once(tmp_path: Path) -> None:
    """Sends to a removed socket fail quietly after one report."""
    name = str(tmp_path / "notify")
    reports: list[str] = []
    notifier = Notifier(name, reports.append)
    try:
        with _receiver(name) as receiver:
            notifier.send("READY=1")
            assert receiver.recv(4096) == b"READY=1"
        os.unlink(name)
        for _ in range(3):
            notifier.send("WATCHDOG=1")
    finally:
        notifier.close()
    assert reports == [
        f"sig-counter: cannot notify NOTIFY_SOCKET={name}: No such file or directory; "
        "running on without it"
    ]


def test_a_socket_nobody_reads_never_blocks(bound: tuple[str, socket.socket]) -> None:
    """With the receiver's queue full, a send drops its message at once instead of waiting."""
    name, _receiver_never_reads = bound
    reports: list[str] = []
    notifier = Notifier(name, reports.append)
    started = time.monotonic()
    try:
        for _ in range(1000):  # far beyond net.unix.max_dgram_qlen
            notifier.send("WATCHDOG=1")
    finally:
        notifier.close()
    assert time.monotonic() - started < DEADLINE
    assert len(reports) == 1 and "Resource temporarily unavailable" in reports[0]


def test_a_refusing_or_malformed_address_is_reported_once(tmp_path: Path) -> None:
    """A socket file nobody listens on refuses; a relative name is not an address."""
    name = str(tmp_path / "notify")
    _receiver(name).close()  # the file stays, with no socket behind it
    for address, reason in ((name, "Connection refused"), ("notify", "not a path or an @name")):
        reports: list[str] = []
        notifier = Notifier(address, reports.append)
        notifier.send("READY=1")
        notifier.send("STATUS=x")
        notifier.close()
        assert len(reports) == 1 and reason in reports[0], reports


def test_ready_on_a_full_queue_gives_up_in_bounded_time(bound: tuple[str, socket.socket]) -> None:
    """READY=1 waits for room in a full queue, but gives up (one report) well within the
    deadline rather than holding the program forever."""
    name, _receiver_never_reads = bound
    reports: list[str] = []
    notifier = Notifier(name, reports.append)
    try:
        while not reports:
            notifier.send("WATCHDOG=1")  # fill the queue: the first failure reports
        started = time.monotonic()
        notifier.ready("1s")
        assert time.monotonic() - started < DEADLINE / 2
    finally:
        notifier.close()
    assert len(reports) == 1
