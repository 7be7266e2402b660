"""decode_siginfo: signalfd records in the kernel's layout decode to SigInfo, no kernel needed."""

from __future__ import annotations

import signal
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import SIGINFO_LAYOUT

from sigcounter.kernel.siginfo import RECORD_SIZE, decode_siginfo


def _record(values: tuple[int, ...]) -> bytes:
    return struct.pack(SIGINFO_LAYOUT, *values).ljust(RECORD_SIZE, b"\0")


_u32 = st.integers(0, 2**32 - 1)
_i32 = st.integers(-(2**31), 2**31 - 1)
_i64 = st.integers(-(2**63), 2**63 - 1)
_fields = st.tuples(
    st.integers(1, signal.NSIG - 1), _i32, _i32, _u32, _u32, _i32, _u32, _u32, _u32, _u32,
    _i32, _i32, _i64, _i64, _i64, _i64,
)


@given(st.lists(_fields, max_size=5))
def test_decode_round_trips_every_field(records: list[tuple[int, ...]]) -> None:
    """Bytes packed in the kernel's layout decode to the same values, in order."""
    decoded = decode_siginfo(b"".join(_record(r) for r in records), read_ns=7)
    assert [tuple(info) for info in decoded] == [(*r, 7) for r in records]


def test_decode_reads_the_signal_and_its_sender() -> None:
    """A SIGUSR1 record decodes to signal number 10 with the sender's pid and uid."""
    (info,) = decode_siginfo(_record((10, 0, 0, 42, 1000) + (0,) * 11))
    assert not info.from_kernel and not info.queued
    assert info.signo == signal.SIGUSR1
    assert (info.sender_pid, info.sender_uid) == (42, 1000)


def test_decode_refuses_partial_records() -> None:
    """A length that is not a whole number of records is a ValueError."""
    with pytest.raises(ValueError, match="multiple of 128"):
        decode_siginfo(b"\0" * 100)
