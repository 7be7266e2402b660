"""SignalFD against the real kernel (in a child process) and its pure decoder."""

from __future__ import annotations

import fcntl
import os
import signal
import struct

import pytest
from conftest import in_child
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.signalfd import LAYOUT, RECORD_SIZE, SigInfo, SignalFD, decode_siginfo

SI_USER = 0  # si_code for kill(2)


def _record(values: tuple[int, ...]) -> bytes:
    return struct.pack(LAYOUT, *values).ljust(RECORD_SIZE, b"\0")


_u32 = st.integers(0, 2**32 - 1)
_i32 = st.integers(-(2**31), 2**31 - 1)
_u64 = st.integers(0, 2**64 - 1)
_fields = st.tuples(
    st.integers(1, signal.NSIG - 1), _i32, _i32, _u32, _u32, _i32, _u32, _u32, _u32, _u32,
    _i32, _i32, _u64, _u64, _u64, _u64,
)


@given(st.lists(_fields, max_size=5))
def test_decode_round_trips_every_field(records: list[tuple[int, ...]]) -> None:
    """Bytes packed in the kernel's layout decode to the same values, in order."""
    decoded = decode_siginfo(b"".join(_record(r) for r in records))
    assert [tuple(info) for info in decoded] == records


def test_decode_names_known_signals() -> None:
    """A known signal number decodes to its Signals enum."""
    (info,) = decode_siginfo(_record((10, 0, 0, 42, 1000) + (0,) * 11))
    assert info.signo == signal.SIGUSR1
    assert (info.sender_pid, info.sender_uid) == (42, 1000)


def test_decode_refuses_partial_records() -> None:
    """A length that is not a whole number of records is a ValueError."""
    with pytest.raises(ValueError, match="multiple of 128"):
        decode_siginfo(b"\0" * 100)


def _self_signals() -> list[SigInfo]:
    with SignalFD([signal.SIGUSR1, signal.SIGUSR2]) as sfd:
        os.kill(os.getpid(), signal.SIGUSR2)
        os.kill(os.getpid(), signal.SIGUSR1)
        return sfd.read()


def test_self_sent_signals_are_read_back_in_one_read() -> None:
    """Two pending signals come back from one read, with our pid and uid."""
    records = in_child(_self_signals)
    # Standard signals are dequeued lowest number first, whatever the send order.
    assert [r.signo for r in records] == [signal.SIGUSR1, signal.SIGUSR2]
    for record in records:
        assert record.code == SI_USER
        assert record.sender_uid == os.getuid()
    # The pid is the forked child's, which differs from ours.
    assert records[0].sender_pid not in (0, os.getpid())


def _block_status() -> tuple[bool, bool]:
    before = signal.SIGUSR1 in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    SignalFD([signal.SIGUSR1]).close()
    after = signal.SIGUSR1 in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return before, after


def test_creating_it_blocks_the_signals_and_closing_keeps_them_blocked() -> None:
    """block=True sets the mask; close() leaves it, so no pending signal kills us."""
    assert in_child(_block_status) == (False, True)


def _unblocked() -> bool:
    SignalFD([signal.SIGUSR1], block=False).close()
    return signal.SIGUSR1 in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_block_false_leaves_the_mask_alone() -> None:
    """block=False is for callers that manage the mask themselves."""
    assert in_child(_unblocked) is False


def _nonblocking_read() -> list[SigInfo]:
    with SignalFD([signal.SIGUSR1], nonblocking=True) as sfd:
        return sfd.read()


def test_nonblocking_read_with_nothing_pending_is_empty() -> None:
    """A non-blocking signalfd with no signal gives [], not an exception."""
    assert in_child(_nonblocking_read) == []


def _flags(cloexec: bool) -> bool:
    with SignalFD([signal.SIGUSR1], cloexec=cloexec) as sfd:
        return bool(fcntl.fcntl(sfd.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC)


def test_close_on_exec_is_the_default() -> None:
    """The fd does not leak into exec'd programs unless asked."""
    assert in_child(lambda: (_flags(True), _flags(False))) == (True, False)


def _after_close() -> tuple[bool, str]:
    sfd = SignalFD([signal.SIGUSR1])
    sfd.close()
    sfd.close()  # idempotent
    try:
        sfd.read()
    except ValueError as exc:
        return sfd.closed, str(exc)
    return sfd.closed, ""


def test_use_after_close_is_a_value_error() -> None:
    """A closed SignalFD says so instead of reading some other fd."""
    closed, message = in_child(_after_close)
    assert closed and "closed SignalFD" in message


def test_bad_max_records_is_a_value_error() -> None:
    """Reading fewer than one record makes no sense."""
    def read_zero() -> str:
        try:
            SignalFD([signal.SIGUSR1]).read(0)
        except ValueError as exc:
            return str(exc)
        return ""

    assert "at least 1" in in_child(read_zero)
