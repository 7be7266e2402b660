"""The process's command line as the kernel shows it (``/proc/PID/cmdline``).

``ps -f``, ``pidof`` and ``pgrep -f`` read the bytes between the kernel's
``arg_start`` and ``arg_end``: the argv strings at the top of the stack, one
NUL after each word. ``pidof`` compares the first word (up to its NUL) and
its basename with the name asked for; ``ps`` shows the words joined by
spaces. ``prctl(PR_SET_MM_ARG_START/END)`` could point the kernel elsewhere
but needs CAP_SYS_RESOURCE, which even root may lack, so the words are
written over the original ones instead, in the area the kernel already
shows. The new words must fit there; the rest of it is filled with NULs,
which keeps the area's last byte a NUL: the kernel then shows the words as
they are (a non-NUL last byte would make it read the area as one string,
setproctitle's way, which ``pidof`` cannot split).
"""

from __future__ import annotations

import os

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

# Fields 48 and 49 of /proc/PID/stat (Linux 3.5 and later), counted after
# the parenthesised comm, which may itself hold spaces and parentheses.
_ARG_START_FIELD = 48 - 3


def cmdline_area(stat: bytes) -> tuple[int, int]:
    """``(arg_start, arg_end)`` from the text of ``/proc/self/stat``."""
    fields = stat.rpartition(b")")[2].split()
    return int(fields[_ARG_START_FIELD]), int(fields[_ARG_START_FIELD + 1])


def cmdline_bytes(words: Sequence[bytes], size: int) -> bytes | None:
    """``words`` as the kernel shows a command line, NUL-padded to ``size``
    bytes; None when they do not fit (or one holds a NUL)."""
    if any(b"\0" in word for word in words):
        return None
    text = b"".join(word + b"\0" for word in words)
    return text.ljust(size, b"\0") if 0 < len(text) <= size else None


def _read_own_stat() -> bytes:
    fd = os.open("/proc/self/stat", os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def set_cmdline(words: Sequence[bytes]) -> bool:
    """Show ``words`` as this process's command line; False, changing nothing,
    when the kernel does not tell where the area is or the words do not fit.
    The interpreter copied its argv at start-up: ``sys.argv`` is unaffected."""
    try:
        start, end = cmdline_area(_read_own_stat())
    except (OSError, ValueError, IndexError):
        return False
    text = cmdline_bytes(words, end - start) if start else None
    if text is None:
        return False
    from sigcounter.kernel.native import ffi

    ffi.buffer(ffi.cast("char *", start), len(text))[:] = text
    return True


__all__ = ["cmdline_area", "cmdline_bytes", "set_cmdline"]
