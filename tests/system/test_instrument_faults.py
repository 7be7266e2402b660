"""An instrument never ends the count: --trace, --cpuprofile and the --stats table
written where writing fails (/dev/full, a tmpfs that fills up, a terminal that
hangs up, a reader that goes away). Each loss is one stderr line naming the file,
the count goes on, the other instruments finish, and the status is 1."""

from __future__ import annotations

import errno
import os
import select
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DEADLINE, SIG_COUNTER, TERMINATED, Running, StartFn, poll_until
from support.lines import read_line
from support.tools import needs_root

TMPFS_BYTES = 64 * 1024


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs of the test's own, unmounted in teardown (needs root)."""
    needs_root("mount a 64 KiB tmpfs to fill")
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES // 1024}k", "tmpfs", str(mount_point)],
        capture_output=True, text=True, timeout=DEADLINE,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root only): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], timeout=DEADLINE).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], timeout=DEADLINE, check=True)


def _fill(directory: Path) -> None:
    """Take every free block of the file system ``directory`` is on."""
    with open(directory / "filler", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def _lost_line(option: str, path: Path | str, reason: str, consequence: str) -> str:
    return f"sig-counter: {option} {path}: {reason}; {consequence}\n"


def _count_goes_on(process: Running) -> None:
    first = process.count()
    poll_until(lambda: process.count() > first, what="the count to go on")


def _ends_with_status_1_and_the_table(process: Running) -> list[str]:
    """SIGTERM: the shutdown line, status 1, the --stats table; the stderr lines left."""
    process.terminate(1)
    rest = process.rest_of_stderr()
    assert "sig-counter stats\n" in rest
    assert not any("Traceback" in line for line in rest), rest
    return rest


@pytest.mark.parametrize("where", ["/dev/full", "a tmpfs that fills up"])
def test_a_trace_that_cannot_be_written_is_turned_off(
    small_tmpfs: Path, sig_counter: StartFn, where: str,
) -> None:
    """ENOSPC on the trace (at once, or once the disk is full): one line naming the
    file, the count goes on, the stats table is printed, status 1."""
    path = Path("/dev/full") if where == "/dev/full" else small_tmpfs / "trace.json"
    process = sig_counter("--interval", "0.001", "--stats", "--trace", str(path))
    process.wait_ready()
    assert process.err_line() == _lost_line("--trace", path, "No space left on device",
                                            "trace off, counting on")
    _count_goes_on(process)
    if path != Path("/dev/full"):  # it wrote what fitted
        assert TMPFS_BYTES // 2 < path.stat().st_size <= TMPFS_BYTES
    _ends_with_status_1_and_the_table(process)


def test_a_trace_on_a_terminal_that_hangs_up_is_turned_off(sig_counter: StartFn) -> None:
    """EIO (a pty whose master side closed): one line, the count goes on, status 1."""
    master, slave = os.openpty()
    try:
        path = os.ttyname(slave)
        process = sig_counter("--interval", "0.01", "--stats", "--trace", path)
        process.wait_ready()
        assert select.select([master], [], [], DEADLINE)[0], "no trace on the terminal"
        assert os.read(master, 65536).startswith(b"[")
    finally:
        os.close(master)
        os.close(slave)
    assert process.err_line() == _lost_line("--trace", path, "Input/output error",
                                            "trace off, counting on")
    _count_goes_on(process)
    _ends_with_status_1_and_the_table(process)


@pytest.mark.parametrize("where", ["/dev/full", "a full tmpfs"])
def test_a_cpuprofile_that_cannot_be_written_costs_one_line(
    small_tmpfs: Path, sig_counter: StartFn, where: str,
) -> None:
    """ENOSPC on the profile at shutdown: one line naming the file, then the stats
    table as usual, no traceback, status 1."""
    path = Path("/dev/full") if where == "/dev/full" else small_tmpfs / "cpu.prof"
    if path != Path("/dev/full"):
        _fill(small_tmpfs)
    process = sig_counter("--interval", "0.01", "--stats", "--cpuprofile", str(path))
    process.wait_ready()
    _count_goes_on(process)
    rest = _ends_with_status_1_and_the_table(process)
    assert rest[0] == _lost_line("--cpuprofile", path, "No space left on device",
                                 "no profile written")
    assert rest[1] == "sig-counter stats\n"


def test_every_instrument_failing_at_once_still_ends_cleanly(sig_counter: StartFn) -> None:
    """--trace and --cpuprofile both on /dev/full: two lines, the table, status 1."""
    process = sig_counter("--interval", "0.01", "--stats", "--trace", "/dev/full",
                          "--cpuprofile", "/dev/full")
    process.wait_ready()
    assert process.err_line() == _lost_line("--trace", "/dev/full", "No space left on device",
                                            "trace off, counting on")
    _count_goes_on(process)
    rest = _ends_with_status_1_and_the_table(process)
    assert rest[0] == _lost_line("--cpuprofile", "/dev/full", "No space left on device",
                                 "no profile written")


def _answers_then_stops(child: Running) -> int:
    """Once its signals are blocked: SIGUSR1 answered, then SIGTERM; its status."""
    child.wait_blocked(signal.SIGTERM)
    child.count()  # SIGUSR1: the next stdout line must be the count
    child.send(signal.SIGTERM)
    assert child.line() == TERMINATED
    return child.wait_exit()


@pytest.mark.parametrize("where", ["/dev/full", "a full tmpfs"])
def test_a_stats_table_that_cannot_be_printed_makes_the_status_1(
    small_tmpfs: Path, sig_counter: StartFn, where: str,
) -> None:
    """stderr refuses the table (ENOSPC): the run itself went as usual, status 1."""
    if where == "/dev/full":
        stderr = open("/dev/full", "wb")  # noqa: SIM115 - closed below
    else:
        stderr = open(small_tmpfs / "stderr", "wb")  # noqa: SIM115 - closed below
        _fill(small_tmpfs)
    with stderr:
        child = sig_counter("-q", "--interval", "0.01", "--stats", stderr=stderr)
    assert _answers_then_stops(child) == 1
    if where != "/dev/full":
        assert (small_tmpfs / "stderr").stat().st_size == 0


def test_a_stats_table_to_a_reader_gone_makes_the_status_1(sig_counter: StartFn) -> None:
    """stderr's reader goes away after the ready line (EPIPE on the table): status 1."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as stderr:
        child = sig_counter("--interval", "0.01", "--stats", stderr=stderr)
    with os.fdopen(read_end, "rb") as reader:
        assert read_line(reader.fileno(), DEADLINE).startswith(b"sig-counter: pid ")
    assert _answers_then_stops(child) == 1


def test_a_second_instance_leaves_the_first_ones_files_alone(tmp_path: Path) -> None:
    """A second run with the same --pidfile stops before its run: the trace and
    profile paths it was given, the first run's, are not emptied."""
    pidfile, trace, profile = tmp_path / "pid", tmp_path / "trace.json", tmp_path / "cpu.prof"
    profile.write_bytes(b"an earlier profile")
    first = Running("--pidfile", str(pidfile), "--trace", str(trace))
    try:
        first.wait_ready()
        poll_until(lambda: trace.exists() and trace.stat().st_size > 0, what="the first trace")
        written = trace.read_bytes()
        second = subprocess.run(
            [str(SIG_COUNTER), "--pidfile", str(pidfile), "--trace", str(trace),
             "--cpuprofile", str(profile)],
            capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL)
        assert second.returncode == 1 and "already running" in second.stderr
        assert trace.read_bytes().startswith(written)
        assert profile.read_bytes() == b"an earlier profile"
    finally:
        first.stop()
