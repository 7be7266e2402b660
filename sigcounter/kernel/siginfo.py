"""SigInfo: one dequeued signal, as the kernel describes it, and who sent it.

Both readers of a signalfd give this one record, from the one C function
that knows which kernel field is which, ``decode_siginfo`` (native/source.c):
the loop's native wait calls it on what it reads, ``SignalFD.read()`` through
``decode_siginfo`` here. Its output, ``struct sig_info`` (native/loop_wait.h),
is SigInfo's fields in order, each an int64_t; the check below holds the
built module to that at import, so a module built from other sources fails
with one line instead of handing out shuffled fields.
"""

from __future__ import annotations

from sigcounter.kernel.lean import build_record
from sigcounter.kernel.native import ffi, lib, stale_module
from sigcounter.kernel.record import Record

RECORD_SIZE = ffi.sizeof("struct signalfd_siginfo")  # 128 on every Linux

# si_code: how the signal was sent (siginfo.h). SI_USER: kill(2); SI_QUEUE:
# sigqueue(3), which carries a value; SI_KERNEL: the kernel itself, for
# instance a terminal's Ctrl-C or hang-up.
SI_USER, SI_KERNEL, SI_QUEUE = lib.SI_USER, lib.SI_KERNEL, lib.SI_QUEUE


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


def _check_layout() -> int:
    """struct sig_info's int64_t words per record, once its fields are known
    to be SigInfo's, in order, each an int64_t (ImportError otherwise)."""
    fields = ffi.typeof("struct sig_info").fields
    names = tuple(name for name, _ in fields)
    if names != SigInfo._fields or any(field.type.cname != "int64_t" for _, field in fields):
        raise stale_module("its struct sig_info is not SigInfo's fields, each an int64_t")
    return len(names)


RECORD_WORDS = _check_layout()


def decode_siginfo(data: bytes, read_ns: int = 0) -> list[SigInfo]:
    """Decode the records of one signalfd ``read()``; pure, no kernel needed.

    C decodes (the native wait's own ``decode_siginfo``) into int64_t words,
    which come back as one list, sliced into records.
    """
    count, rest = divmod(len(data), RECORD_SIZE)
    if rest:
        raise ValueError(
            f"signalfd data must be a multiple of {RECORD_SIZE} bytes, got {len(data)}"
        )
    if not count:
        return []
    records = ffi.new("struct sig_info[]", count)
    lib.decode_siginfo(ffi.from_buffer("struct signalfd_siginfo[]", data), count, records,
                       read_ns)
    return records_of(memoryview(ffi.buffer(records)).cast("q").tolist())


def records_of(words: list[int]) -> list[SigInfo]:
    """struct sig_info records, taken as one flat list of their int64_t words,
    as SigInfo tuples (built straight away: lean.build_record)."""
    return [build_record(SigInfo, words[start:start + RECORD_WORDS])
            for start in range(0, len(words), RECORD_WORDS)]
