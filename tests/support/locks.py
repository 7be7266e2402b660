"""Whether a file is locked by another open description (flock), as a pidfile is."""

from __future__ import annotations

import fcntl
from pathlib import Path


def locked_by_someone(path: Path) -> bool:
    """True when an exclusive flock on ``path`` cannot be had now."""
    with path.open("rb") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False
