"""PidFile on a real filesystem: written whole, locked, refused, taken over, removed."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import time
from pathlib import Path

import pytest
from support import DEADLINE, in_child
from support.locks import locked_by_someone
from support.unprivileged import drop_privileges, give_to_user, service_directory, user_ids

from sigcounter.pidfile import PidFile, PidFileError


def test_claim_writes_the_pid_and_holds_the_lock(tmp_path: Path) -> None:
    """The file holds the PID and a newline, is locked, and nothing else is left beside it."""
    path = tmp_path / "sig-counter.pid"
    pidfile = PidFile.claim(str(path))
    try:
        assert path.read_text() == f"{os.getpid()}\n"
        assert locked_by_someone(path)
        assert os.listdir(tmp_path) == [path.name]
    finally:
        pidfile.remove()
    assert os.listdir(tmp_path) == []


def test_a_held_pidfile_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A second claim fails with one line naming the holder; the file is unchanged."""
    path = tmp_path / "sig-counter.pid"
    first = PidFile.claim(str(path))
    try:
        before = path.stat()
        with pytest.raises(PidFileError) as refused:
            PidFile.claim(str(path))
        assert str(refused.value) == f"{path} is held by pid {os.getpid()}: already running"
        after = path.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        assert os.listdir(tmp_path) == [path.name]
    finally:
        first.remove()


@pytest.mark.parametrize("stale", ["99999999\n", "", "not a pid"])
def test_a_stale_pidfile_is_taken_over(tmp_path: Path, stale: str) -> None:
    """A file nobody holds a lock on, whatever it says, is replaced by ours."""
    path = tmp_path / "sig-counter.pid"
    path.write_text(stale)
    pidfile = PidFile.claim(str(path))
    try:
        assert path.read_text() == f"{os.getpid()}\n"
    finally:
        pidfile.remove()
    assert not path.exists()


def test_remove_leaves_a_file_that_is_no_longer_ours(tmp_path: Path) -> None:
    """If someone replaced the file meanwhile, removing ours does not delete theirs."""
    path = tmp_path / "sig-counter.pid"
    pidfile = PidFile.claim(str(path))
    path.unlink()
    path.write_text("12345\n")
    pidfile.remove()
    assert path.read_text() == "12345\n"


def test_a_pidfile_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """A missing directory is a PidFileError with the path and the reason."""
    path = tmp_path / "missing" / "sig-counter.pid"
    with pytest.raises(PidFileError, match=f"cannot write the pidfile {path}: No such file"):
        PidFile.claim(str(path))


def _claim_in_child(
    path: Path, start: tuple[int, int], release: tuple[int, int]
) -> tuple[int, int]:
    """Fork a child that claims ``path`` once the ``start`` pipe is closed, reports
    on a pipe, and holds until the ``release`` pipe is closed; return its pid and
    the read end of its report."""
    report_read, report_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(start[1])
            os.close(release[1])
            select.select([start[0]], [], [], DEADLINE)
            try:
                pidfile = PidFile.claim(str(path))
                os.write(report_write, b"won")
            except PidFileError:
                os.write(report_write, b"held")
                os._exit(0)
            select.select([release[0]], [], [], DEADLINE)
            pidfile.remove()
        finally:
            os._exit(0)
    os.close(report_write)
    return pid, report_read


def _read_report(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], DEADLINE)
    assert ready, "a child gave no report"
    try:
        return os.read(fd, 16)
    finally:
        os.close(fd)


def _reap(pid: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def test_of_many_claiming_at_once_exactly_one_wins(tmp_path: Path) -> None:
    """Eight processes claiming one path at the same moment: one holds it, seven refuse."""
    path = tmp_path / "sig-counter.pid"
    start, release = os.pipe(), os.pipe()
    children = [_claim_in_child(path, start, release) for _ in range(8)]
    for fd in start:
        os.close(fd)  # all of them go at once
    try:
        outcomes = sorted(_read_report(fd) for _, fd in children)
        assert outcomes == [b"held"] * 7 + [b"won"]
        holder = int(path.read_text())
        assert locked_by_someone(path)
    finally:
        for fd in release:
            os.close(fd)  # the holder wakes, removes the file and exits
        for pid, _ in children:
            _reap(pid)
    assert holder > 0 and not path.exists()
    assert os.listdir(tmp_path) == []


def _claim_in_place_and_remove(path: Path) -> tuple[bool, int, bool, int]:
    """As the unprivileged user: claim, note the file and its lock, remove."""
    drop_privileges()
    pidfile = PidFile.claim(str(path))
    ours = path.read_text() == f"{os.getpid()}\n"
    inode, locked = path.stat().st_ino, locked_by_someone(path)
    pidfile.remove()
    return ours, inode, locked, path.stat().st_size


def _refusal_as_user(path: Path) -> str:
    """The PidFileError a claim of ``path`` by the unprivileged user gets (in a child)."""
    def refused() -> str:
        drop_privileges()
        with pytest.raises(PidFileError) as error:
            PidFile.claim(str(path))
        return str(error.value)

    return in_child(refused)


def test_a_file_in_a_directory_it_cannot_write_is_written_in_place() -> None:
    """The user's file in a root-owned directory: written through its own inode,
    locked, and emptied (the directory keeps it) when the claim ends."""
    with service_directory() as directory:
        path = give_to_user(directory / "sig-counter.pid", "99999\n")
        inode = path.stat().st_ino
        outcome = in_child(lambda: _claim_in_place_and_remove(path))
        assert outcome == (True, inode, True, 0)
        assert os.listdir(directory) == [path.name]


def test_in_place_a_held_file_is_refused_and_left_alone() -> None:
    """A live holder's lock on the file stops the claim before anything is written."""
    with service_directory() as directory:
        path = give_to_user(directory / "sig-counter.pid", "4242\n")
        with path.open("rb") as holder:
            fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert _refusal_as_user(path) == f"{path} is held by pid 4242: already running"
        assert path.read_text() == "4242\n"


def test_in_place_only_a_regular_file_is_opened() -> None:
    """A FIFO the user owns in that directory is refused, and the claim does not wait."""
    with service_directory() as directory:
        fifo = directory / "sig-counter.pid"
        os.mkfifo(fifo)
        os.chown(fifo, *user_ids())
        assert _refusal_as_user(fifo) == f"cannot write the pidfile {fifo}: not a regular file"


def test_in_place_a_directory_without_the_file_is_refused() -> None:
    """No file prepared and no right to make one: the directory's own refusal, one line."""
    with service_directory() as directory:
        path = directory / "sig-counter.pid"
        assert _refusal_as_user(path) == f"cannot write the pidfile {path}: Permission denied"
        assert os.listdir(directory) == []
