"""The installed command as a service: sd_notify on a socket the test reads, and --pidfile.

No systemd is started: the test plays the service manager, with an AF_UNIX
datagram socket bound to a path or to an abstract ``@name``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import COUNT, DEADLINE, SIG_COUNTER, Running, StartFn, blocked_signals, poll_until
from support.locks import pkill_through
from support.notify import Manager, listen

from sigcounter.signaltable import handled_signals

WATCHDOG = "WATCHDOG=1"
STATUS = re.compile(r"^STATUS=ticking every [0-9.]+s; count (\d+) at SIGUSR1$")


@pytest.fixture(params=["path", "abstract"])
def manager(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Manager]:
    """A notify socket in each address form, named in the environment sig-counter gets."""
    listening = listen(request.param, tmp_path)
    monkeypatch.setenv("NOTIFY_SOCKET", listening.name)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    try:
        yield listening
    finally:
        listening.close()


@pytest.mark.parametrize(("signum", "name"), [(signal.SIGTERM, "SIGTERM"),
                                              (signal.SIGINT, "SIGINT")])
def test_the_protocol_messages_in_order(
    sig_counter: StartFn, manager: Manager, signum: int, name: str
) -> None:
    """READY=1 once the signals are blocked, STATUS= per handled signal, STOPPING=1 at the end."""
    process = sig_counter()
    assert manager.next() == "READY=1\nSTATUS=ticking every 1s; no signal yet"
    assert blocked_signals(process.pid) >= set(handled_signals())
    process.wait_ready()  # the ready line was printed just before
    process.send(signal.SIGUSR1)
    count = COUNT.match(process.line().decode())
    assert count, "no count line"
    assert manager.next() == f"STATUS=ticking every 1s; count {count[1]} at SIGUSR1"
    process.send(signal.SIGUSR2)
    assert process.line() == b"Resetting ticker count to zero\n"
    assert manager.next() == "STATUS=ticking every 1s; count 0 at SIGUSR2"
    process.send(signum)
    stopping = manager.next()
    assert re.fullmatch(rf"STOPPING=1\nSTATUS=stopping on {name}; count \d+", stopping)
    assert process.line().startswith(b"received ")
    assert process.wait_exit() == 0
    assert process.rest_of_stderr() == []


def test_watchdog_pings_every_half_watchdog_usec(
    sig_counter: StartFn, manager: Manager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WATCHDOG=1 every WATCHDOG_USEC/2 (50 ms = 5 ticks of 10 ms), measured against the
    program's own tick count rather than the test's clock."""
    monkeypatch.setenv("WATCHDOG_USEC", "100000")
    process = sig_counter("--interval", "0.01")
    assert manager.next().startswith("READY=1\n")
    process.wait_ready()
    messages: list[str] = []
    while messages.count(WATCHDOG) < 20:
        messages.append(manager.next())
    process.send(signal.SIGUSR1)
    messages += manager.until(STATUS.match)
    assert set(messages[:-1]) == {WATCHDOG}
    pings, ticks = messages.count(WATCHDOG), int(STATUS.match(messages[-1])[1])  # type: ignore[index]
    # One ping per 5 ticks; a loop held up past a period sends one for several.
    assert 0.7 * ticks / 5 <= pings <= ticks / 5 + 1, (pings, ticks)


@pytest.mark.parametrize("whose", ["ours", "another process's"])
def test_watchdog_pid_says_who_pings(
    sig_counter: StartFn, manager: Manager, monkeypatch: pytest.MonkeyPatch, whose: str
) -> None:
    """With WATCHDOG_PID set, only that process pings: sig-counter exec'd by a shell
    that set it to its own PID pings; with any other PID it stays silent."""
    monkeypatch.setenv("WATCHDOG_USEC", "20000")  # a ping every 10 ms, if any
    if whose == "ours":  # exec keeps the shell's PID
        process = Running("--interval", "0.01", program=(
            "sh", "-c", 'WATCHDOG_PID=$$ exec "$0" "$@"', str(SIG_COUNTER)))
    else:
        monkeypatch.setenv("WATCHDOG_PID", "1")
        process = sig_counter("--interval", "0.01")
    try:
        process.wait_ready()
        poll_until(lambda: process.count() >= 30, what="30 ticks: room for 15 pings")
        process.send(signal.SIGTERM)
        messages = manager.until(lambda message: message.startswith("STOPPING=1"))
        assert process.wait_exit() == 0
    finally:
        process.stop()
    pings = messages.count(WATCHDOG)
    assert pings >= 5 if whose == "ours" else pings == 0, messages


def _one_complaint(process: Running, complaint: str) -> None:
    """The ready line, then exactly ``complaint`` on stderr; the program still answers."""
    process.wait_ready()
    assert process.err_line() == complaint + "\n"
    process.count()
    process.terminate()
    assert process.rest_of_stderr() == []


def test_a_socket_that_goes_away_costs_one_line(
    sig_counter: StartFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the manager's socket disappears, one stderr line, and the program runs on."""
    manager = listen("path", tmp_path)
    monkeypatch.setenv("NOTIFY_SOCKET", manager.name)
    process = sig_counter()
    assert manager.next().startswith("READY=1\n")
    manager.close()
    os.unlink(manager.name)
    process.count()  # its STATUS= finds no socket
    _one_complaint(process, f"sig-counter: cannot notify NOTIFY_SOCKET={manager.name}: "
                            "No such file or directory; running on without it")


@pytest.mark.parametrize("case", ["refuses", "malformed", "bad WATCHDOG_USEC"])
def test_a_notify_problem_is_one_line_and_the_program_runs_on(
    sig_counter: StartFn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest, case: str,
) -> None:
    """A socket file nobody reads, a name that is no address, a WATCHDOG_USEC that is no
    number: each is one stderr line, and the signals are still answered."""
    if case == "refuses":
        listening = listen("path", tmp_path)
        listening.close()  # the file stays: connecting to it is refused
        name, complaint = listening.name, "Connection refused; running on without it"
    elif case == "malformed":
        name, complaint = "notify", "not a path or an @name; running on without it"
    else:
        listening = listen("abstract", tmp_path)
        request.addfinalizer(listening.close)
        name, complaint = listening.name, ""
        monkeypatch.setenv("WATCHDOG_USEC", "ten")
    monkeypatch.setenv("NOTIFY_SOCKET", name)
    process = sig_counter()
    if complaint:
        complaint = f"sig-counter: cannot notify NOTIFY_SOCKET={name}: {complaint}"
    else:
        complaint = ("sig-counter: WATCHDOG_USEC=ten is not a positive number of "
                     "microseconds; no watchdog pings")
    _one_complaint(process, complaint)


@pytest.fixture
def pidfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    return tmp_path / "sig-counter.pid"


def test_pidfile_is_written_when_ready_and_removed_at_shutdown(
    sig_counter: StartFn, pidfile: Path
) -> None:
    """Once ready the file holds the PID, locked; pkill -F reaches it; TERM removes it."""
    process = sig_counter("--pidfile", str(pidfile))
    process.wait_ready()
    assert pidfile.read_text() == f"{process.pid}\n"
    pkill_through(pidfile)
    assert COUNT.match(process.line().decode())
    process.terminate()
    assert not pidfile.exists()
    assert os.listdir(pidfile.parent) == []


def test_a_second_instance_refuses_and_leaves_the_file_alone(
    sig_counter: StartFn, pidfile: Path
) -> None:
    """Same --pidfile while one runs: status 1, one stderr line, the file untouched."""
    first = sig_counter("--pidfile", str(pidfile))
    first.wait_ready()
    before = pidfile.stat()
    second = sig_counter("--pidfile", str(pidfile))
    assert second.wait_exit() == 1
    assert second.rest_of_stderr() == [
        f"sig-counter: error: {pidfile} is held by pid {first.pid}: already running\n"
    ]
    after = pidfile.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert pidfile.read_text() == f"{first.pid}\n"
    first.count()  # the first one never noticed


def test_a_killed_instances_pidfile_is_taken_over(sig_counter: StartFn, pidfile: Path) -> None:
    """After SIGKILL the file stays with no lock on it; the next instance takes it over."""
    killed = sig_counter("--pidfile", str(pidfile))
    killed.wait_ready()
    killed.send(signal.SIGKILL)
    assert killed.wait_exit() == -signal.SIGKILL
    assert pidfile.read_text() == f"{killed.pid}\n"
    process = sig_counter("--pidfile", str(pidfile))
    process.wait_ready()
    assert pidfile.read_text() == f"{process.pid}\n"


def test_a_pidfile_that_cannot_be_written_stops_the_start(
    sig_counter: StartFn, pidfile: Path
) -> None:
    """A pidfile in a missing directory: a usage error, as for every path option
    (status 2, one line), before any ready line."""
    missing = pidfile.parent / "missing" / "sig-counter.pid"
    process = sig_counter("--pidfile", str(missing))
    assert process.wait_exit() == 2
    assert process.rest_of_stderr() == [
        f"sig-counter: error: --pidfile {missing}: No such file or directory (see --help)\n"
    ]


def test_pidfile_option_is_documented_and_needs_a_path() -> None:
    """--help lists --pidfile PATH; --pidfile with no path is a usage error (status 2)."""
    run = [str(SIG_COUNTER)]
    help_text = subprocess.run([*run, "--help"], capture_output=True, text=True,
                               timeout=DEADLINE).stdout
    assert "[--pidfile PATH]" in help_text and "\n  --pidfile PATH " in help_text
    bad = subprocess.run([*run, "--pidfile"], capture_output=True, text=True, timeout=DEADLINE)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
