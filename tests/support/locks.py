"""Whether a file is locked by another open description (flock), as a pidfile is,
and a signal sent through a pidfile as an administrator would send it."""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

from support.deadline import DEADLINE


def locked_by_someone(path: Path) -> bool:
    """True when an exclusive flock on ``path`` cannot be had now."""
    with path.open("rb") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def pkill_through(pidfile: Path, signame: str = "USR1") -> None:
    """``pkill -L -F pidfile -SIGNAME``, which must succeed: -L has pkill check that
    the file is locked by the process it names."""
    pkill = subprocess.run(["pkill", "-L", "-F", str(pidfile), f"-{signame}"],
                           timeout=DEADLINE, capture_output=True, text=True)
    assert pkill.returncode == 0, pkill.stderr
