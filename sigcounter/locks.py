"""Whether another process holds a lock on a file: the question to ask before
writing over a path that may be a running instance's pidfile, which it
holds with ``flock`` for its whole run (sigcounter/pidfile.py).

The answer is read from ``/proc/locks``, which lists every lock on the
system, so asking takes no lock. A probe that tried ``flock`` itself would
hold the lock for a moment, and an instance starting at that moment would
find its own pidfile held and refuse to run.
"""

from __future__ import annotations

import os

_HOLDING = {"FLOCK", "POSIX", "OFDLCK"}  # /proc/locks' kinds of lock (leases aside)


def lock_holder(status: os.stat_result) -> int | None:
    """The PID of a process holding a lock on the file ``status`` describes, 0
    when none can be named (it lives outside this PID namespace, or the lock
    belongs to an open file description, not a process), or None when the
    file is not locked or ``/proc`` cannot tell."""
    wanted = f"{os.major(status.st_dev):02x}:{os.minor(status.st_dev):02x}:{status.st_ino}"
    try:
        with open("/proc/locks", "rb") as locks:
            text = locks.read().decode("ascii", "replace")
    except OSError:
        return None  # no /proc: nothing can be told
    for line in text.splitlines():
        # "1: FLOCK  ADVISORY  WRITE 4242 00:1f:1234 0 EOF"; a waiter's line
        # has "->" in second place: it holds nothing yet.
        fields = line.split()
        if len(fields) > 5 and fields[1] in _HOLDING and fields[5] == wanted:
            return int(fields[4]) if fields[4].isdigit() else 0
    return None
