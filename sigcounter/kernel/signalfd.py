"""SignalFD: signals read from a file descriptor instead of run as handlers.

The signals must be blocked, or the kernel delivers them the usual way before
the fd ever sees them; ``SignalFD`` blocks them for you unless told not to.
It never unblocks them on close: a pending SIGUSR1 would then be delivered
with its default action, which is to terminate the process.
"""

from __future__ import annotations

import os
import time

from sigcounter.kernel.fd import FdObject, check
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.native import lib
from sigcounter.kernel.siginfo import RECORD_SIZE, SigInfo, decode_siginfo
from sigcounter.kernel.sigset import Sigset
from sigcounter.kernel.sigset import block as block_signals

if TYPE_CHECKING:
    from collections.abc import Iterable

class SignalFD(FdObject):
    """A signalfd for ``signals``: ``read()`` returns the pending ones."""

    def __init__(
        self,
        signals: Iterable[int],
        *,
        block: bool = True,
        nonblocking: bool = False,
        cloexec: bool = True,
    ) -> None:
        self.signals = Sigset(signals)
        if block:
            # Blocked in the calling thread, first: a signal sent between here and the signalfd's
            # creation stays pending and is read from the fd, never lost.
            block_signals(self.signals)
        flags = (lib.SFD_NONBLOCK if nonblocking else 0) | (
            lib.SFD_CLOEXEC if cloexec else 0
        )
        super().__init__(check(lib.signalfd(-1, self.signals.cdata, flags)))

    def read(self, max_records: int = 16) -> list[SigInfo]:
        """Dequeue up to ``max_records`` signals with one ``read(2)``.

        Blocks until one is pending, unless the fd is non-blocking, in which
        case an empty list means none was.
        """
        if max_records < 1:
            raise ValueError(f"max_records must be at least 1, got {max_records}")
        try:
            data = os.read(self.fileno(), max_records * RECORD_SIZE)
        except BlockingIOError:
            return []
        return decode_siginfo(data, time.monotonic_ns())
