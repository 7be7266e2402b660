"""SigInfo: one dequeued signal, as the kernel describes it, and who sent it.

Both readers of a signalfd give this one record: ``SignalFD.read()`` decodes
the 128-byte ``struct signalfd_siginfo`` here, in Python; the loop's native
wait copies the same fields in C (``struct sig_info``, all 64 bits wide, in
this order) and adds the time of the read.
"""

from __future__ import annotations

from sigcounter.kernel.native import lib
from sigcounter.kernel.record import Record

RECORD_SIZE = 128  # sizeof(struct signalfd_siginfo), fixed by the kernel ABI

# si_code: how the signal was sent (siginfo.h). SI_USER: kill(2); SI_QUEUE:
# sigqueue(3), which carries a value; SI_TKILL: tgkill(2); SI_KERNEL: the
# kernel itself, for instance a terminal's Ctrl-C or hang-up.
SI_USER, SI_KERNEL, SI_QUEUE, SI_TKILL = lib.SI_USER, lib.SI_KERNEL, lib.SI_QUEUE, lib.SI_TKILL


class SigInfo(Record):
    """One signal read from a signalfd."""

    __slots__ = ()
    _fields = (
        "signo", "errno_value", "code", "sender_pid", "sender_uid", "fd", "tid", "band",
        "overrun", "trapno", "status", "value_int", "value_ptr", "utime", "stime", "addr",
        "read_ns",
    )
    signo: int  # signal.Signals(info.signo) gives the enum
    errno_value: int
    code: int  # si_code: SI_USER, SI_QUEUE, SI_KERNEL, ...
    sender_pid: int  # 0 for the kernel, or a sender outside our PID namespace
    sender_uid: int
    fd: int
    tid: int
    band: int
    overrun: int
    trapno: int
    status: int
    value_int: int  # sigqueue(3)'s value
    value_ptr: int  # the same value's 64 bits, read as a signed number
    utime: int
    stime: int
    addr: int
    read_ns: int  # CLOCK_MONOTONIC when the read returned it (0: not taken)

    @property
    def from_kernel(self) -> bool:
        """Sent by the kernel (a terminal's Ctrl-C or hang-up, ...), not a process."""
        return self.code == SI_KERNEL

    @property
    def sender_unknown(self) -> bool:
        """Nothing is known of the sender: the record reads SI_USER, pid 0, uid
        0. The kernel writes that when it kept no record of the signal (the
        receiver's RLIMIT_SIGPENDING was reached, which a kill(2) of a standard
        signal may exceed but sigqueue(3) and tgkill(2) may not; a sigqueue
        value is then lost too), and a kill(2) from a uid-0 process outside
        this PID namespace reads the same."""
        return self.code == SI_USER and self.sender_pid == 0 and self.sender_uid == 0

    @property
    def queued(self) -> bool:
        """Sent with sigqueue(3), so ``value_int`` is the sender's value."""
        return self.code == SI_QUEUE


def decode_siginfo(data: bytes, read_ns: int = 0) -> list[SigInfo]:
    """Decode the records of one signalfd ``read()``; pure, no kernel needed.

    The layout is twelve 32-bit fields (signed where the kernel's are), then
    four 64-bit ones, read as signed as the native wait does; the rest of the
    128 bytes is padding. Memoryview casts need no module (``_struct`` would
    cost start-up time).
    """
    if len(data) % RECORD_SIZE:
        raise ValueError(
            f"signalfd data must be a multiple of {RECORD_SIZE} bytes, got {len(data)}"
        )
    view, records = memoryview(data), []
    for offset in range(0, len(data), RECORD_SIZE):
        u32 = view[offset:offset + 48].cast("I")
        i32 = view[offset:offset + 48].cast("i")
        i64 = view[offset + 48:offset + 80].cast("q")
        records.append(SigInfo(
            u32[0], i32[1], i32[2], u32[3], u32[4], i32[5], u32[6], u32[7], u32[8], u32[9],
            i32[10], i32[11], i64[0], i64[1], i64[2], i64[3], read_ns,
        ))
    return records
