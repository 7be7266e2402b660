"""The instruments as a library, writing to /dev/full: a failure is recorded and
told once, and nothing raises, whatever the loop calls afterwards."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from sigcounter.instruments.cpuprofile import CpuProfile
from sigcounter.instruments.outfile import NotAFile, open_output
from sigcounter.instruments.tracefile import TraceWriter
from sigcounter.kernel.loopwait import Wake

MS = 1_000_000


def test_a_trace_writer_on_dev_full_fails_once_and_never_raises() -> None:
    """The first flush fails (the buffered events reach /dev/full); on_error hears it
    once, the stream is closed, and every later call is quietly nothing."""
    told: list[OSError] = []
    stream = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - the writer closes it
    writer = TraceWriter(stream, told.append)
    writer.started(1000, MS, "timerfd", 0)
    for n in range(3):
        writer.woke(Wake(n * MS, (n + 1) * MS, 1, 40, (n + 1) * MS, 0, 1, 1, 0), n + 1)
        writer.wake_done()
    writer.stopped(4 * MS)
    assert not writer.finish()
    assert [exc.errno for exc in told] == [errno.ENOSPC]
    assert writer.error is told[0] and stream.closed


def test_a_cpu_profile_on_dev_full_fails_once_and_never_raises() -> None:
    """finish() writes the profile; /dev/full refuses it: recorded, told once, closed."""
    told: list[OSError] = []
    stream = open("/dev/full", "wb")  # noqa: SIM115 - the profile closes it
    profile = CpuProfile(stream, told.append)
    profile.start()
    sum(range(1000))
    assert not profile.finish()
    assert [exc.errno for exc in told] == [errno.ENOSPC]
    assert profile.error is told[0] and stream.closed


def test_open_output_takes_files_and_character_devices_only(tmp_path: Path) -> None:
    """A regular file is created (and says so), /dev/null taken; a FIFO (no
    reader) and a directory are refused without waiting, each in words."""
    for path, creates in ((tmp_path / "new", True), (tmp_path / "new", False),
                          (Path("/dev/null"), False)):
        fd, created = open_output(str(path))
        try:
            mode = os.fstat(fd).st_mode
            assert stat.S_ISREG(mode) or stat.S_ISCHR(mode)
            assert created == creates
        finally:
            os.close(fd)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotAFile, match=r"^a FIFO, not a regular file$"):
        open_output(str(fifo))
    with pytest.raises(IsADirectoryError):
        open_output(str(tmp_path))
