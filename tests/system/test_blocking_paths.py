"""Nothing between the launcher's first statement and the loop waits for another
process: the handled signals are blocked by then, so a wait there would leave
SIGTERM and Ctrl-C pending. A FIFO, a socket, a directory or a block device given
as --trace, --cpuprofile or --pidfile is refused at once with one line and status
2; a character device is written without ever waiting; the notify socket's
READY=1 waits a bounded second at most."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DEADLINE, SIG_COUNTER, TERMINATED, StartFn, in_child, poll_until

OPTIONS = ["--trace", "--cpuprofile", "--pidfile"]


def _refused(option: str, path: Path | str) -> subprocess.CompletedProcess[str]:
    """Run with ``option path``; it must end by itself (a wait would hit the timeout)."""
    return subprocess.run(
        [str(SIG_COUNTER), option, str(path)], capture_output=True, text=True,
        timeout=DEADLINE, stdin=subprocess.DEVNULL,
    )


def _assert_one_usage_line(result: subprocess.CompletedProcess[str], line: str) -> None:
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"sig-counter: error: {line} (see --help)\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("reader", ["no reader", "a reader"])
@pytest.mark.parametrize("option", OPTIONS)
def test_a_fifo_is_refused_at_once(fifo: Path, option: str, reader: str) -> None:
    """A FIFO (with nobody at the other end, or with a reader there): status 2 and
    one line at once, never an open that waits; the FIFO is left as it was."""
    held = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK) if reader == "a reader" else None
    try:
        result = _refused(option, fifo)
        if held is not None:
            assert os.read(held, 1) == b""  # nothing was written into it
    finally:
        if held is not None:
            os.close(held)
    _assert_one_usage_line(result, f"{option} {fifo}: a FIFO, not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("option", OPTIONS)
def test_a_directory_is_refused(tmp_path: Path, option: str) -> None:
    """A directory: status 2, one line naming the option and the path."""
    result = _refused(option, tmp_path)
    words = "Is a directory" if option != "--pidfile" else "a directory, not a regular file"
    _assert_one_usage_line(result, f"{option} {tmp_path}: {words}")


@pytest.mark.parametrize("option", OPTIONS)
def test_a_socket_or_a_block_device_is_refused(tmp_path: Path, option: str) -> None:
    """A socket file and a block device node: status 2 at once, one line each."""
    sock_path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(str(sock_path))
        _assert_one_usage_line(_refused(option, sock_path),
                               f"{option} {sock_path}: a socket, not a regular file")
    # A number no driver has (240 is for local use): nothing could be written to it.
    block = _node(tmp_path / "block", stat.S_IFBLK, os.makedev(240, 0))
    _assert_one_usage_line(_refused(option, block),
                           f"{option} {block}: a block device, not a regular file")


def _node(path: Path, kind: int, device: int) -> Path:
    try:
        os.mknod(path, kind | 0o666, device)
    except PermissionError:
        pytest.skip("needs root (mknod makes a device node only for root); "
                    "run the suite as root to include it")
    return path


def test_a_character_device_is_never_a_pidfile(tmp_path: Path) -> None:
    """--pidfile on a character device (a node of its own with /dev/null's numbers,
    so that a failure cannot touch the real one) is refused, status 2: the claim
    renames its file into place, which for root would replace the device."""
    null = _node(tmp_path / "null", stat.S_IFCHR, os.makedev(1, 3))
    _assert_one_usage_line(_refused("--pidfile", null),
                           f"--pidfile {null}: a character device, not a regular file")
    assert stat.S_ISCHR(null.stat().st_mode) and null.stat().st_rdev == os.makedev(1, 3)


def test_the_claim_itself_never_waits_on_a_fifo(fifo: Path) -> None:
    """Past the command line's check (a FIFO put there meanwhile), the claim opens
    what it finds without waiting and refuses it: PidFileError, the FIFO left alone."""
    def claim() -> str:
        from sigcounter.pidfile import PidFile, PidFileError

        try:
            PidFile.claim(str(fifo))
        except PidFileError as exc:
            return str(exc)
        return "claimed"

    started = time.monotonic()
    assert in_child(claim) == f"cannot write the pidfile {fifo}: not a regular file"
    assert time.monotonic() - started < DEADLINE / 2
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in fifo.parent.iterdir()] == ["fifo"]  # no staging file left


@pytest.mark.parametrize("option", ["--trace", "--cpuprofile"])
def test_a_character_device_is_written_as_a_file(sig_counter: StartFn, option: str) -> None:
    """--trace /dev/null and --cpuprofile /dev/null: a normal run, status 0."""
    process = sig_counter("--interval", "0.01", option, "/dev/null")
    process.wait_ready()
    first = process.count()
    poll_until(lambda: process.count() > first, what="the count to go on")
    process.terminate()
    assert process.rest_of_stderr() == []


@pytest.fixture
def unread_terminal() -> Iterator[str]:
    """A pty whose master side is held open and never read: the slave's path."""
    master, slave = os.openpty()
    try:
        yield os.ttyname(slave)
    finally:
        os.close(slave)
        os.close(master)


def test_a_terminal_nobody_reads_never_stalls_the_loop(
    unread_terminal: str, sig_counter: StartFn,
) -> None:
    """--trace on a pty nobody reads: once its buffer is full a write would wait;
    it fails with EAGAIN instead, the trace goes off and the signals are answered."""
    process = sig_counter("--interval", "0.001", "--trace", unread_terminal)
    process.wait_ready()
    assert process.err_line() == (f"sig-counter: --trace {unread_terminal}: Resource "
                                  "temporarily unavailable; trace off, counting on\n")
    first = process.count()
    poll_until(lambda: process.count() > first, what="the count to go on")
    process.terminate(1)


def test_ready_to_a_full_notify_queue_holds_sigterm_a_bounded_time(
    tmp_path: Path, sig_counter: StartFn, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A manager that reads nothing: READY=1 (and STOPPING=1 at the end) each wait at
    most a second for room; a SIGTERM sent meanwhile waits, pending, then ends the run."""
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as manager, \
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as filler:
        manager.bind(address)
        filler.setblocking(False)
        with pytest.raises(BlockingIOError):
            while True:
                filler.sendto(b"STATUS=filler", address)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        process = sig_counter("--interval", "0.01")
        process.wait_ready()  # said before READY=1 is sent
        process.send(signal.SIGTERM)
        sent = time.monotonic()
        assert process.err_line() == (f"sig-counter: cannot notify NOTIFY_SOCKET={address}: "
                                      "Resource temporarily unavailable; running on without it\n")
        assert process.line() == TERMINATED
        assert process.wait_exit() == 0
        assert time.monotonic() - sent < 2 + 2  # two waits of a second, and room for load
