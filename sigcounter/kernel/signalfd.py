"""SignalFD: signals read from a file descriptor instead of run as handlers.

The signals must be blocked, or the kernel delivers them the usual way before
the fd ever sees them; ``SignalFD`` blocks them for you unless told not to.
It never unblocks them on close: a pending SIGUSR1 would then be delivered
with its default action, which is to terminate the process.
"""

from __future__ import annotations

import os

from sigcounter.kernel.fd import FdObject, check
from sigcounter.kernel.lean import TYPE_CHECKING, new_tuple
from sigcounter.kernel.native import lib
from sigcounter.kernel.record import Record
from sigcounter.kernel.sigset import Sigset
from sigcounter.kernel.sigset import block as block_signals

if TYPE_CHECKING:
    from collections.abc import Iterable

RECORD_SIZE = 128  # sizeof(struct signalfd_siginfo), fixed by the kernel ABI

# The fields of struct signalfd_siginfo up to ssi_addr, as a struct-module
# format in native byte order: twelve 32-bit fields (I unsigned, i signed),
# then four 64-bit ones; the rest of the 128 bytes is padding or
# architecture-specific. decode_siginfo reads them with memoryview casts,
# which need no module (the _struct extension would cost start-up time).
LAYOUT = "=IiiIIiIIIIiiQQQQ"


class SigInfo(Record):
    """One dequeued signal, as ``struct signalfd_siginfo`` reports it."""

    __slots__ = ()
    _fields = (
        "signo", "errno", "code", "sender_pid", "sender_uid", "fd", "tid", "band", "overrun",
        "trapno", "status", "value_int", "value_ptr", "utime", "stime", "addr",
    )
    signo: int  # signal.Signals(info.signo) gives the enum
    errno: int
    code: int  # SI_USER for kill(2), SI_QUEUE for sigqueue(3), ...
    sender_pid: int  # 0 when the sender is outside our PID namespace
    sender_uid: int
    fd: int
    tid: int
    band: int
    overrun: int
    trapno: int
    status: int
    value_int: int  # sigqueue(3) payload
    value_ptr: int
    utime: int
    stime: int
    addr: int


def decode_siginfo(data: bytes) -> list[SigInfo]:
    """Decode the records of one signalfd ``read()``; pure, no kernel needed."""
    if len(data) % RECORD_SIZE:
        raise ValueError(
            f"signalfd data must be a multiple of {RECORD_SIZE} bytes, got {len(data)}"
        )
    view, records = memoryview(data), []
    for offset in range(0, len(data), RECORD_SIZE):
        u32 = view[offset:offset + 48].cast("I")
        i32 = view[offset:offset + 48].cast("i")
        u64 = view[offset + 48:offset + 80].cast("Q")
        records.append(new_tuple(SigInfo, (
            u32[0], i32[1], i32[2], u32[3], u32[4], i32[5], u32[6], u32[7], u32[8], u32[9],
            i32[10], i32[11], u64[0], u64[1], u64[2], u64[3],
        )))
    return records


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
        return decode_siginfo(data)
