"""Shared helpers: the installed program under test, and child processes.

The harness is shared with the bench, which imports it from here: processes,
readiness and teardown (support/process.py), lines read with deadlines
(support/lines.py), /proc (support/procfs.py), strace attached or from the
start (support/strace.py). Every test that starts sig-counter does it through
the ``sig_counter`` fixture (in conftest.py) or a ``Running`` it stops itself;
whatever is left is killed by its PID at exit. Every read has a deadline.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from support.deadline import DEADLINE
from support.lines import NoLine
from support.process import (
    COUNT,
    READY,
    SIG_COUNTER,
    TERMINATED,
    Child,
    Running,
    StartFn,
    poll_until,
)
from support.procfs import blocked_signals

if TYPE_CHECKING:
    from sigcounter.kernel.siginfo import SigInfo

__all__ = [
    "COUNT",
    "DEADLINE",
    "READY",
    "SIG_COUNTER",
    "TERMINATED",
    "Child",
    "NoLine",
    "Running",
    "StartFn",
    "blocked_signals",
    "in_child",
    "poll_until",
    "siginfo",
]

T = TypeVar("T")

def in_child(function: Callable[[], T], timeout: float = DEADLINE) -> T:
    """Run ``function`` in a forked child and return its result.

    For process-wide changes (signal masks, pending signals) that must not
    touch the pytest process. The child always ends in ``os._exit``, and is
    killed if it has not answered within ``timeout`` seconds.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 1
        try:
            os.close(read_end)
            outcome: tuple[str, object]
            try:
                outcome = ("ok", function())
            except BaseException as exc:
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            os.write(write_end, pickle.dumps(outcome))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        data = _read_to_end(read_end, pid, timeout)
    finally:
        os.close(read_end)
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0 and data, "the child died"
    kind, value = pickle.loads(data)
    if kind == "error":
        raise AssertionError(f"in the child: {value}")
    return value  # type: ignore[no-any-return]


def _read_to_end(fd: int, pid: int, timeout: float) -> bytes:
    """Everything the child writes to ``fd``; the child is killed at the deadline."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"the child gave no result within {timeout}s")
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def siginfo(
    signo: int, *, code: int = 0, sender_pid: int = 0, sender_uid: int = 0, value: int = 0,
    read_ns: int = 0,
) -> SigInfo:
    """A SigInfo as the kernel would give it, with the fields a test cares about."""
    from sigcounter.kernel.siginfo import SigInfo

    fields = dict.fromkeys(SigInfo._fields, 0)
    fields.update(signo=signo, code=code, sender_pid=sender_pid, sender_uid=sender_uid,
                  value_int=value, value_ptr=value, read_ns=read_ns)
    return SigInfo(*fields.values())
