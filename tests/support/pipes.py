"""A pipe the program under test writes and nobody reads: how full it is."""

from __future__ import annotations

import fcntl
import struct
import termios
import time

PIPE_FULL = 60 * 1024  # a 64 KiB pipe of lines under 4 KiB is full well past this


def unread_bytes(read_end: int) -> int:
    """Bytes waiting in the pipe, by FIONREAD on its read end."""
    answer = fcntl.ioctl(read_end, termios.FIONREAD, struct.pack("i", 0))
    return int(struct.unpack("i", answer)[0])


def pipe_is_full(read_end: int) -> bool:
    """Nearly 64 KiB waiting, and not one more byte in 0.1 s, while the program
    writes a line per millisecond or faster: its writes are failing, so its
    lines now wait in its queue."""
    before = unread_bytes(read_end)
    if before < PIPE_FULL:
        return False
    time.sleep(0.1)  # the window over which "no more lines" is observed
    return unread_bytes(read_end) == before
