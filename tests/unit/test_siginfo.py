"""decode_siginfo: signalfd records in the kernel's layout decode to SigInfo, no kernel needed."""

from __future__ import annotations

import signal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.kernel.native import ffi
from sigcounter.kernel.siginfo import RECORD_SIZE, SigInfo, decode_siginfo

# The kernel's field behind each of SigInfo's, in SigInfo's order (read_ns is ours).
KERNEL_NAMES = (
    "ssi_signo", "ssi_errno", "ssi_code", "ssi_pid", "ssi_uid", "ssi_fd", "ssi_tid",
    "ssi_band", "ssi_overrun", "ssi_trapno", "ssi_status", "ssi_int", "ssi_ptr",
    "ssi_utime", "ssi_stime", "ssi_addr",
)


def _record(values: tuple[int, ...]) -> bytes:
    """One struct signalfd_siginfo, its fields set by name through the compiler's layout."""
    info = ffi.new("struct signalfd_siginfo *")
    for name, value in zip(KERNEL_NAMES, values, strict=True):
        setattr(info, name, value)
    return bytes(ffi.buffer(info))


def _as_signed(value: int) -> int:
    """A 64-bit unsigned field as SigInfo has it: its bits read as signed."""
    return value - 2**64 if value >= 2**63 else value


_u32 = st.integers(0, 2**32 - 1)
_i32 = st.integers(-(2**31), 2**31 - 1)
_u64 = st.integers(0, 2**64 - 1)
_fields = st.tuples(
    st.integers(1, signal.NSIG - 1), _i32, _i32, _u32, _u32, _i32, _u32, _u32, _u32, _u32,
    _i32, _i32, _u64, _u64, _u64, _u64,
)


def test_the_test_names_every_field_but_the_read_time() -> None:
    """KERNEL_NAMES pairs with SigInfo's fields one to one, so the round trip covers all."""
    assert len(KERNEL_NAMES) == len(SigInfo._fields) - 1 and SigInfo._fields[-1] == "read_ns"


@given(st.lists(_fields, max_size=5))
def test_decode_round_trips_every_field(records: list[tuple[int, ...]]) -> None:
    """Records set field by field decode to the same values, in order, the
    unsigned 64-bit ones read as signed."""
    decoded = decode_siginfo(b"".join(_record(r) for r in records), read_ns=7)
    expected = [(*r[:12], *map(_as_signed, r[12:]), 7) for r in records]
    assert [tuple(info) for info in decoded] == expected


def test_decode_reads_the_signal_and_its_sender() -> None:
    """A SIGUSR1 record decodes to signal number 10 with the sender's pid and uid."""
    (info,) = decode_siginfo(_record((10, 0, 0, 42, 1000) + (0,) * 11))
    assert not info.from_kernel and not info.queued
    assert info.signo == signal.SIGUSR1
    assert (info.sender_pid, info.sender_uid) == (42, 1000)


def test_decode_refuses_partial_records() -> None:
    """A length that is not a whole number of records is a ValueError."""
    with pytest.raises(ValueError, match=f"multiple of {RECORD_SIZE}"):
        decode_siginfo(b"\0" * 100)
