"""--pidfile where services keep it: a file an init script made for an
unprivileged service, in a root-owned directory the service cannot write
(``install -d -m 0755 /run/x; install -o svc -m 0644 /dev/null /run/x/x.pid``).
The installed command runs as ``nobody`` under setpriv; the test plays root.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import COUNT, Running
from support.locks import locked_by_someone, pkill_through
from support.process import stopped_at_end
from support.unprivileged import as_user_argv, give_to_user, service_directory, user_ids


@pytest.fixture
def prepared() -> Iterator[Path]:
    """The user's pidfile, left stale by an earlier run, in a root-owned 0755 directory."""
    with service_directory() as directory:
        yield give_to_user(directory / "sig-counter.pid", "99999\n")


@pytest.fixture
def as_user() -> Iterator[list[Running]]:
    """Runs of sig-counter as the unprivileged user; stopped by PID in teardown."""
    with stopped_at_end(list[Running]()) as started:
        yield started


def _start(started: list[Running], *args: str) -> Running:
    started.append(Running("--interval", "0.05", *args, program=as_user_argv()))
    return started[-1]


def test_the_prepared_file_is_written_in_place_and_emptied_at_exit(
    prepared: Path, as_user: list[Running]
) -> None:
    """The file keeps its inode and owner, holds the PID, locked, while the run
    lasts; pkill -L -F reaches it; after SIGTERM it is left empty, not removed."""
    inode = prepared.stat().st_ino
    run = _start(as_user, "--pidfile", str(prepared))
    run.wait_ready()
    assert prepared.read_text() == f"{run.pid}\n"
    assert (prepared.stat().st_ino, prepared.stat().st_uid) == (inode, user_ids()[0])
    assert locked_by_someone(prepared)
    pkill_through(prepared)
    assert COUNT.match(run.line().decode())
    run.terminate()
    assert run.rest_of_stderr() == []
    assert (prepared.stat().st_ino, prepared.read_text()) == (inode, "")
    assert os.listdir(prepared.parent) == [prepared.name]


def test_a_second_instance_finds_the_prepared_file_held(
    prepared: Path, as_user: list[Running]
) -> None:
    """A second run on the same prepared file: status 1, one line naming the
    first, and the file still holds the first one's PID."""
    first = _start(as_user, "--pidfile", str(prepared))
    first.wait_ready()
    second = _start(as_user, "--pidfile", str(prepared))
    assert second.wait_exit() == 1
    assert second.rest_of_stderr() == [
        f"sig-counter: error: {prepared} is held by pid {first.pid}: already running\n"
    ]
    assert prepared.read_text() == f"{first.pid}\n"
    first.count()  # the first one never noticed


def test_a_killed_runs_prepared_file_is_taken_over(
    prepared: Path, as_user: list[Running]
) -> None:
    """After SIGKILL the file keeps the dead PID, unlocked; the next run writes its own."""
    killed = _start(as_user, "--pidfile", str(prepared))
    killed.wait_ready()
    killed.send(signal.SIGKILL)
    assert killed.wait_exit() == -signal.SIGKILL
    assert prepared.read_text() == f"{killed.pid}\n" and not locked_by_someone(prepared)
    run = _start(as_user, "--pidfile", str(prepared))
    run.wait_ready()
    assert prepared.read_text() == f"{run.pid}\n"


def test_without_a_prepared_file_the_directory_refuses(as_user: list[Running]) -> None:
    """No file made for it and no right to make one: status 1, one line, nothing created."""
    with service_directory() as directory:
        path = directory / "sig-counter.pid"
        run = _start(as_user, "--pidfile", str(path))
        assert run.wait_exit() == 1
        assert run.rest_of_stderr() == [
            f"sig-counter: error: cannot write the pidfile {path}: Permission denied\n"
        ]
        assert os.listdir(directory) == []
