"""Completed system calls, read from the output of ``strace -f``."""

from __future__ import annotations

import re
from typing import NamedTuple

# "1234  read(4, "\1\0...", 8) = 8", "1234  <... epoll_pwait resumed>..., 8) = 1",
# "1234  epoll_pwait(5, ..., NULL, 8) = -1 EINTR (...)"; unfinished and
# detached lines have no result and are not calls we count.
_CALL = re.compile(
    r"^(?P<tid>\d+)\s+(?:<\.\.\. (?P<resumed>\w+) resumed>|(?P<name>\w+)\((?P<first>[^,)]*))"
    r".*?(?:, (?P<last>[^,]+))?\)\s+= (?P<result>-?\d+)(?: (?P<errno>E\w+))?"
)


class Call(NamedTuple):
    """One completed system call, as strace printed it."""

    tid: int
    name: str
    fd: int | None  # first argument, when strace printed it on this line
    size: str  # last argument (a read's or write's count)
    result: int
    errno: str | None


def parse_strace(text: str) -> list[Call]:
    """Every completed call in ``text``, in order."""
    calls = []
    for line in text.splitlines():
        match = _CALL.match(line)
        if match:
            first = match["first"]
            calls.append(
                Call(
                    int(match["tid"]), match["resumed"] or match["name"],
                    int(first) if first and first.isdigit() else None,
                    (match["last"] or "").strip(), int(match["result"]), match["errno"],
                )
            )
    return calls
