"""Who sent a signal, told truthfully from its si_code: a terminal's Ctrl-C and
hang-up come from the kernel, ``kill`` from a process, and a ``sigqueue(3)``
value is shown."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import signal
import subprocess
import termios
import time
from pathlib import Path

import pytest
from support import DEADLINE, Running


def _on_a_pty(*args: str, stdout: int | None = None) -> tuple[Running, int]:
    """sig-counter in a session of its own whose controlling terminal is a new
    pty (stdout on it too, unless ``stdout`` is given); returns the master."""
    master, slave = os.openpty()

    def take_the_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = Running(*args, stdin=slave, stdout=slave if stdout is None else stdout,
                   stderr=slave, start_new_session=True, preexec_fn=take_the_terminal)
    os.close(slave)
    return proc, master


def _read_until(master: int, pattern: bytes, seen: bytearray) -> bytes:
    """Read the pty master until ``pattern`` has appeared; return all read so far."""
    deadline = time.monotonic() + DEADLINE
    while pattern not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {pattern!r} on the terminal; got {bytes(seen)!r}"
        if select.select([master], [], [], left)[0]:
            seen += os.read(master, 4096)
    return bytes(seen)


def test_ctrl_c_on_the_terminal_is_from_the_kernel() -> None:
    """-v, Ctrl-C typed on its terminal: the shutdown line says the kernel sent
    it, not a process outside the PID namespace."""
    proc, master = _on_a_pty("-v")
    try:
        seen = bytearray()
        _read_until(master, b"ready", seen)
        os.write(master, b"\x03")  # the terminal's interrupt character
        line = "received interrupt \N{EM DASH} shutting down (from the kernel)\r\n"
        _read_until(master, line.encode(), seen)  # the terminal ends lines with \r\n
        assert proc.wait_exit() == 0
    finally:
        _stop(proc, master)


def test_a_hang_up_is_from_the_kernel_in_json(tmp_path: Path) -> None:
    """--json, the terminal hangs up (its master closed): the shutdown object's
    sender is the kernel, not a process with pid 0."""
    out = tmp_path / "out.json"
    with out.open("wb") as stdout:
        proc, master = _on_a_pty("--json", stdout=stdout.fileno())
    seen = bytearray()
    with proc:
        try:
            _read_until(master, b"ready", seen)
        finally:
            os.close(master)  # the hang-up
        assert proc.wait_exit() == 0
    (shutdown,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert (shutdown["event"], shutdown["signal"]) == ("shutdown", "SIGHUP")
    assert (shutdown["sender"], shutdown["sender_pid"]) == ("kernel", 0)
    assert "value" not in shutdown


def test_kill_names_the_sending_process() -> None:
    """kill(2) from this process: its pid and uid, and no value."""
    running = Running("-v")
    try:
        running.wait_ready()
        running.send(signal.SIGUSR1)
        line = running.line().decode()
        assert re.fullmatch(rf"Ticker count: \d+ \(from pid {os.getpid()}, uid {os.getuid()}\)\n",
                            line), line
    finally:
        running.stop()


def test_sigqueue_shows_its_value() -> None:
    """``/bin/kill -q 42`` (sigqueue(3)): -v names the sender and shows the value;
    --json gives it as "value"."""
    for args, check in ((("-v",), _check_verbose_value), (("--json",), _check_json_value)):
        running = Running(*args)
        try:
            running.wait_ready()
            sender = subprocess.run(["/bin/kill", "-q", "42", "-s", "USR1", str(running.pid)],
                                    check=True, capture_output=True)
            assert sender.returncode == 0
            check(running.line().decode())
        finally:
            running.stop()


def _check_verbose_value(line: str) -> None:
    assert re.fullmatch(rf"Ticker count: \d+ \(from pid \d+, uid {os.getuid()}, value 42\)\n",
                        line), line


def _check_json_value(line: str) -> None:
    record = json.loads(line)
    assert (record["sender"], record["value"], record["signal"]) == ("process", 42, "SIGUSR1")
    assert record["sender_pid"] not in (0, os.getpid())  # /bin/kill's own pid


def _stop(proc: Running, master: int) -> None:
    proc.stop()
    with contextlib.suppress(OSError):  # closed already by the hang-up test
        os.close(master)


@pytest.mark.parametrize("args", [("-v",), ("--json",)])
def test_a_sender_the_kernel_kept_no_record_of_is_unknown(args: tuple[str, ...]) -> None:
    """With the receiver's RLIMIT_SIGPENDING at 0 the kernel keeps no record of a
    sigqueue(3): the signal still comes, and -v and --json say the sender is
    unknown rather than naming a cause (the value is gone with the record)."""
    running = Running(*args)
    try:
        running.wait_ready()
        subprocess.run(["prlimit", f"--pid={running.pid}", "--sigpending=0"], check=True,
                       timeout=DEADLINE)
        subprocess.run(["/bin/kill", "-q", "42", "-s", "USR1", str(running.pid)], check=True,
                       capture_output=True, timeout=DEADLINE)
        line = running.line().decode()
        if args == ("-v",):
            assert re.fullmatch(r"Ticker count: \d+ \(from an unknown sender\)\n", line), line
        else:
            record = json.loads(line)
            assert (record["sender"], record["sender_pid"], record["sender_uid"],
                    record["si_code"]) == ("unknown", 0, 0, 0)
            assert "value" not in record
    finally:
        running.stop()
