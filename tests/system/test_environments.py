"""Every start-up environment a shell or a service manager can hand the program:
standard fds closed or of every kind, signals blocked, ignored or pending at
exec, no controlling terminal. Each gives the right behaviour or one clear
stderr line and status 1, and no line ever lands in one of its own fds."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import socket
import subprocess
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import DEADLINE, READY, SIG_COUNTER, blocked_signals, poll_until
from support.process import preexec_signals

Started = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start() -> Iterator[Started]:
    """Popen sig-counter with the given fds and set-up; killed in teardown."""
    started: list[subprocess.Popen[bytes]] = []

    def run(*args: str, **popen: object) -> subprocess.Popen[bytes]:
        popen.setdefault("stdin", subprocess.DEVNULL)
        popen.setdefault("stderr", subprocess.DEVNULL)
        proc: subprocess.Popen[bytes] = subprocess.Popen(  # type: ignore[call-overload]
            [str(SIG_COUNTER), "--interval", "0.05", *args], **popen)
        started.append(proc)
        return proc

    yield run
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=DEADLINE)


def _ready(proc: subprocess.Popen[bytes]) -> int:
    """Safe to signal: the handled signals are blocked (the launcher's first step)."""
    poll_until(lambda: signal.SIGUSR1 in blocked_signals(proc.pid), what="the signals blocked")
    return proc.pid


def _read_line(fd: int) -> bytes:
    data, deadline = b"", time.monotonic() + DEADLINE
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        assert left > 0 and select.select([fd], [], [], left)[0], f"no line; got {data!r}"
        data += os.read(fd, 1)
    return data


def _stop(proc: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> int:
    proc.send_signal(signum)
    return proc.wait(timeout=DEADLINE)


def _no_own_fd_below_3(pid: int) -> None:
    for fd in (0, 1, 2):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        assert "signalfd" not in target and "eventpoll" not in target and "timerfd" not in target


def test_closed_stdout_is_one_line_and_status_1() -> None:
    """With fd 1 closed there is nowhere to write: one stderr line, status 1, no traceback."""
    result = subprocess.run(
        ["sh", "-c", f'exec "{SIG_COUNTER}" >&-'], capture_output=True, text=True,
        timeout=DEADLINE, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "sig-counter: error: stdout is closed: there is nowhere to write the count\n")


def test_closed_stdin_and_stderr_become_dev_null(start: Started) -> None:
    """fds 0 and 2 closed: they are /dev/null, the kernel objects sit above, the count works."""
    read_end, write_end = os.pipe()
    def close_stdin_and_stderr() -> None:
        os.close(0)
        os.close(2)

    proc = start(stdin=None, stdout=write_end, stderr=None, preexec_fn=close_stdin_and_stderr)
    os.close(write_end)
    pid = _ready(proc)
    os.kill(pid, signal.SIGUSR1)
    assert _read_line(read_end).startswith(b"Ticker count: ")
    assert os.readlink(f"/proc/{pid}/fd/0") == os.readlink(f"/proc/{pid}/fd/2") == "/dev/null"
    _no_own_fd_below_3(pid)
    assert _stop(proc) == 0
    os.close(read_end)


def test_stdout_a_regular_file(start: Started, tmp_path: Path) -> None:
    """Lines land in a file, whole, one per signal."""
    path = tmp_path / "out.txt"
    with path.open("wb") as out:
        proc = start(stdout=out)
        pid = _ready(proc)
        os.kill(pid, signal.SIGUSR1)
        poll_until(lambda: path.read_bytes().endswith(b"\n"), what="the line in the file")
        assert _stop(proc) == 0
    lines = path.read_bytes().decode().splitlines()
    assert lines[0].startswith("Ticker count: ") and lines[-1].startswith("received terminated")


def test_stdout_dev_null(start: Started) -> None:
    """/dev/null takes everything; the program answers and exits 0."""
    proc = start(stdout=subprocess.DEVNULL)
    os.kill(_ready(proc), signal.SIGUSR1)
    assert _stop(proc) == 0


def test_stdout_a_socket(start: Started) -> None:
    """A socket: lines arrive at the other end; its going away is noticed."""
    ours, theirs = socket.socketpair()
    with ours:
        proc = start(stdout=theirs.fileno())
        theirs.close()
        os.kill(_ready(proc), signal.SIGUSR1)
        assert _read_line(ours.fileno()).startswith(b"Ticker count: ")
    assert proc.wait(timeout=DEADLINE) == 1  # reader gone: one line on stderr, status 1


@pytest.mark.parametrize("side", ["terminal", "pty master"])
def test_stdout_a_terminal(start: Started, side: str) -> None:
    """A pseudo-terminal, either side: the line arrives on the other one (for the
    master, not on a new pty that reopening /dev/ptmx would make)."""
    controller, terminal = pty.openpty()
    ours, theirs = (terminal, controller) if side == "terminal" else (controller, terminal)
    proc = start(stdout=ours)
    os.close(ours)
    os.kill(_ready(proc), signal.SIGUSR1)
    assert _read_line(theirs).startswith(b"Ticker count: ")
    assert _stop(proc) == 0
    os.close(theirs)


@pytest.mark.parametrize("how", ["blocked", "ignored"])
def test_signals_blocked_or_ignored_by_the_parent(start: Started, how: str) -> None:
    """Handled signals the parent blocked or ignored are still answered."""
    read_end, write_end = os.pipe()
    proc = start(stdout=write_end, preexec_fn=preexec_signals(how))
    os.close(write_end)
    os.kill(_ready(proc), signal.SIGUSR1)
    assert _read_line(read_end).startswith(b"Ticker count: ")
    assert _stop(proc, signal.SIGINT) == 0
    assert _read_line(read_end) == "received interrupt \N{EM DASH} shutting down\n".encode()
    os.close(read_end)


def test_a_signal_pending_at_exec_is_answered_once_ready() -> None:
    """A SIGUSR1 blocked and pending when exec ran is answered first thing."""
    code = (
        "import os, signal, sys\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        f"os.execv({str(SIG_COUNTER)!r}, [{str(SIG_COUNTER)!r}])\n"
    )
    proc = subprocess.Popen([str(SIG_COUNTER.with_name("python")), "-c", code],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        assert _read_line(proc.stdout.fileno()) == b"Ticker count: 0\n"
        assert _stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=DEADLINE)
        if proc.stdout is not None:
            proc.stdout.close()


def test_no_controlling_terminal(start: Started) -> None:
    """In a session of its own, with no terminal at all, it runs as usual."""
    read_end, write_end = os.pipe()
    proc = start(stdout=write_end, start_new_session=True)
    os.close(write_end)
    pid = _ready(proc)
    assert os.getsid(pid) == pid
    os.kill(pid, signal.SIGUSR1)
    assert _read_line(read_end).startswith(b"Ticker count: ")
    assert _stop(proc) == 0
    os.close(read_end)


def test_its_terminal_hanging_up_ends_the_run_like_sighup(start: Started) -> None:
    """Run in a session of its own with a pty as its controlling terminal and
    stdout; the terminal goes away: SIGHUP ends the run cleanly (status 0), with
    no "closed by its reader" error and no traceback."""
    controller, terminal = pty.openpty()

    def take_the_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = start(stdin=terminal, stdout=terminal, stderr=subprocess.PIPE,
                 preexec_fn=take_the_terminal)
    os.close(terminal)
    pid = _ready(proc)
    os.kill(pid, signal.SIGUSR1)
    assert _read_line(controller).startswith(b"Ticker count: ")
    os.close(controller)  # the terminal hangs up: the kernel sends its session SIGHUP
    assert proc.wait(timeout=DEADLINE) == 0
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode().splitlines()
    proc.stderr.close()
    assert len(stderr) == 1 and READY.match(stderr[0]), stderr  # the ready line alone
