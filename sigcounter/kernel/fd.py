"""What every kernel-object wrapper shares: owning one fd, and the one rule
by which a failed call becomes an ``OSError`` that carries the real errno."""

from __future__ import annotations

import errno
import os
from _warnings import warn

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.native import ffi

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Protocol, Self

    class HasFileno(Protocol):
        def fileno(self) -> int: ...


def os_error(code: int) -> OSError:
    """The ``OSError`` for errno ``code``: the right subclass (``InterruptedError``
    for EINTR, ``BlockingIOError`` for EAGAIN, ...) with the system's message."""
    return OSError(code, os.strerror(code))


def retry_on_eintr(code: int) -> None:
    """For a call that failed with errno ``code``: return if that was EINTR
    (a signal or SIGSTOP/SIGCONT cut it short; the caller retries), else
    raise its ``OSError``. Every retried call in the kernel layer goes
    through here; only the failed path calls it, the good one pays nothing."""
    if code != errno.EINTR:
        raise os_error(code)


def check(result: int) -> int:
    """Return ``result``, or raise ``os_error(errno)`` if it is -1 (the libc way)."""
    if result == -1:
        raise os_error(ffi.errno)
    return result


def as_fd(target: int | HasFileno) -> int:
    """Accept a plain fd or anything with ``fileno()``, like ``select`` does."""
    fd = target if isinstance(target, int) else target.fileno()
    if not isinstance(fd, int) or isinstance(fd, bool):
        raise TypeError(f"fileno() must be an int, not {type(fd).__name__}")
    if fd < 0:
        raise ValueError(f"file descriptor cannot be negative: {fd}")
    return fd


class FdObject:
    """An object that *is* one file descriptor: ``fileno()``, ``close()``,
    ``closed``, and ``with``; the fd is closed when the object is collected,
    with a ResourceWarning, as for a file left open."""

    _fd: int = -1

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        if self._fd < 0:
            raise ValueError(f"I/O operation on closed {type(self).__name__}")
        return self._fd

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # As io.FileIO does: a descriptor left to the collector is closed,
        # and said (shown under -X dev or -W default), since it was a leak.
        if self._fd >= 0:
            warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2, source=self)
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"fd={self._fd}"
        return f"<{type(self).__name__} {state}>"
