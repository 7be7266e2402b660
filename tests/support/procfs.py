"""What /proc says about a process: its signal masks, its tracer, its children."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def status(pid: int) -> dict[str, str]:
    """/proc/PID/status as a dict of its fields, values stripped."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {key: value.strip() for key, _, value in
            (line.partition(":") for line in text.splitlines())}


def signal_set(pid: int, field: str) -> set[int]:
    """The signals in one of the status masks: SigBlk, SigIgn, SigCgt, SigPnd, ShdPnd."""
    mask = int(status(pid).get(field, "0"), 16)
    # Signal n is bit n - 1 of the mask.
    return {bit + 1 for bit in range(64) if mask >> bit & 1}


def blocked_signals(pid: int) -> set[int]:
    """The signals blocked by ``pid`` (its main thread), from SigBlk."""
    return signal_set(pid, "SigBlk")


def tracer_pid(pid: int) -> int:
    """The PID of the process tracing ``pid`` (strace, a debugger), or 0."""
    return int(status(pid).get("TracerPid", "0"))


def children(pid: int) -> list[int]:
    """The children of ``pid`` (of each of its threads); none once it is gone."""
    found: list[int] = []
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):  # a thread that just ended
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, parents before their children."""
    found, frontier = [], children(pid)
    while frontier:
        found += frontier
        frontier = [grandchild for child in frontier for grandchild in children(child)]
    return found


def kill_each(pids: list[int]) -> None:
    """SIGKILL each of ``pids``, by its PID; one already gone is no error."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
