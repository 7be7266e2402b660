"""lock_holder reads who holds a lock on a file from /proc/locks."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from sigcounter.locks import lock_holder


@pytest.mark.parametrize("kind", ["flock", "posix"])
def test_a_held_lock_names_its_holder_and_a_released_one_nothing(tmp_path: Path,
                                                                 kind: str) -> None:
    """An flock or a POSIX lock on the file names this process; once released, or
    on another file, nothing is held."""
    locked, other = tmp_path / "locked", tmp_path / "other"
    other.write_text("")
    with open(locked, "w") as stream:
        lock = fcntl.flock if kind == "flock" else fcntl.lockf
        lock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert lock_holder(os.stat(locked)) == os.getpid()
        assert lock_holder(os.stat(other)) is None
        lock(stream, fcntl.LOCK_UN)
        assert lock_holder(os.stat(locked)) is None

