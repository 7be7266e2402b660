"""Every start-up environment a shell or a service manager can hand the program:
standard fds closed or of every kind, signals blocked, ignored or pending at
exec, no controlling terminal. Each gives the right behaviour or one clear
stderr line and status 1, and no line ever lands in one of its own fds."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import socket
import subprocess
import termios
from pathlib import Path
from typing import Any

import pytest
from support import DEADLINE, READY, SIG_COUNTER, Child, Running, StartFn, poll_until
from support.lines import read_line
from support.process import preexec_signals


@pytest.fixture
def start(sig_counter: StartFn) -> StartFn:
    """sig-counter at a short interval with the given fds and set-up (stdin and
    stderr /dev/null unless given); killed in teardown."""
    def run(*args: str, **popen: Any) -> Running:
        return sig_counter("--interval", "0.05", *args, **{"stderr": subprocess.DEVNULL, **popen})

    return run


def _stop(proc: Running, signum: int = signal.SIGTERM) -> int:
    proc.send(signum)
    return proc.wait_exit()


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


def test_closed_stdin_and_stderr_become_dev_null(start: StartFn) -> None:
    """fds 0 and 2 closed: they are /dev/null, the kernel objects sit above, the count works."""
    read_end, write_end = os.pipe()
    def close_stdin_and_stderr() -> None:
        os.close(0)
        os.close(2)

    proc = start(stdin=None, stdout=write_end, stderr=None, preexec_fn=close_stdin_and_stderr)
    os.close(write_end)
    pid = proc.wait_blocked()
    os.kill(pid, signal.SIGUSR1)
    assert read_line(read_end, DEADLINE).startswith(b"Ticker count: ")
    assert os.readlink(f"/proc/{pid}/fd/0") == os.readlink(f"/proc/{pid}/fd/2") == "/dev/null"
    _no_own_fd_below_3(pid)
    assert _stop(proc) == 0
    os.close(read_end)


def test_stdout_a_regular_file(start: StartFn, tmp_path: Path) -> None:
    """Lines land in a file, whole, one per signal."""
    path = tmp_path / "out.txt"
    with path.open("wb") as out:
        proc = start(stdout=out)
        pid = proc.wait_blocked()
        os.kill(pid, signal.SIGUSR1)
        poll_until(lambda: path.read_bytes().endswith(b"\n"), what="the line in the file")
        assert _stop(proc) == 0
    lines = path.read_bytes().decode().splitlines()
    assert lines[0].startswith("Ticker count: ") and lines[-1].startswith("received terminated")


def test_stdout_dev_null(start: StartFn) -> None:
    """/dev/null takes everything; the program answers and exits 0."""
    proc = start(stdout=subprocess.DEVNULL)
    os.kill(proc.wait_blocked(), signal.SIGUSR1)
    assert _stop(proc) == 0


def test_stdout_a_socket(start: StartFn) -> None:
    """A socket: lines arrive at the other end; its going away is noticed."""
    ours, theirs = socket.socketpair()
    with ours:
        proc = start(stdout=theirs.fileno())
        theirs.close()
        os.kill(proc.wait_blocked(), signal.SIGUSR1)
        assert read_line(ours.fileno(), DEADLINE).startswith(b"Ticker count: ")
    assert proc.wait_exit() == 1  # reader gone: one line on stderr, status 1


@pytest.mark.parametrize("side", ["terminal", "pty master"])
def test_stdout_a_terminal(start: StartFn, side: str) -> None:
    """A pseudo-terminal, either side: the line arrives on the other one (for the
    master, not on a new pty that reopening /dev/ptmx would make)."""
    controller, terminal = pty.openpty()
    ours, theirs = (terminal, controller) if side == "terminal" else (controller, terminal)
    proc = start(stdout=ours)
    os.close(ours)
    os.kill(proc.wait_blocked(), signal.SIGUSR1)
    assert read_line(theirs, DEADLINE).startswith(b"Ticker count: ")
    assert _stop(proc) == 0
    os.close(theirs)


@pytest.mark.parametrize("how", ["blocked", "ignored"])
def test_signals_blocked_or_ignored_by_the_parent(start: StartFn, how: str) -> None:
    """Handled signals the parent blocked or ignored are still answered."""
    read_end, write_end = os.pipe()
    proc = start(stdout=write_end, preexec_fn=preexec_signals(how))
    os.close(write_end)
    os.kill(proc.wait_blocked(), signal.SIGUSR1)
    assert read_line(read_end, DEADLINE).startswith(b"Ticker count: ")
    assert _stop(proc, signal.SIGINT) == 0
    shutdown = "received interrupt \N{EM DASH} shutting down\n".encode()
    assert read_line(read_end, DEADLINE) == shutdown
    os.close(read_end)


def test_a_signal_pending_at_exec_is_answered_once_ready() -> None:
    """A SIGUSR1 blocked and pending when exec ran is answered first thing."""
    code = (
        "import os, signal, sys\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        f"os.execv({str(SIG_COUNTER)!r}, [{str(SIG_COUNTER)!r}])\n"
    )
    with Child([str(SIG_COUNTER.with_name("python")), "-c", code],
               stderr=subprocess.DEVNULL) as proc:
        assert proc.line() == b"Ticker count: 0\n"
        proc.send(signal.SIGTERM)
        assert proc.wait_exit() == 0


def test_no_controlling_terminal(start: StartFn) -> None:
    """In a session of its own, with no terminal at all, it runs as usual."""
    read_end, write_end = os.pipe()
    proc = start(stdout=write_end, start_new_session=True)
    os.close(write_end)
    pid = proc.wait_blocked()
    assert os.getsid(pid) == pid
    os.kill(pid, signal.SIGUSR1)
    assert read_line(read_end, DEADLINE).startswith(b"Ticker count: ")
    assert _stop(proc) == 0
    os.close(read_end)


def test_its_terminal_hanging_up_ends_the_run_like_sighup(start: StartFn) -> None:
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
    pid = proc.wait_blocked()
    os.kill(pid, signal.SIGUSR1)
    assert read_line(controller, DEADLINE).startswith(b"Ticker count: ")
    os.close(controller)  # the terminal hangs up: the kernel sends its session SIGHUP
    assert proc.wait_exit() == 0
    stderr = proc.rest_of_stderr()
    assert len(stderr) == 1 and READY.match(stderr[0]), stderr  # the ready line alone
