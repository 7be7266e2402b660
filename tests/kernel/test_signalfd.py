"""SignalFD against the real kernel, in a child process (the decoder: unit/test_siginfo.py)."""

from __future__ import annotations

import fcntl
import os
import signal

from support import in_child

from sigcounter.kernel.siginfo import SigInfo
from sigcounter.kernel.signalfd import SignalFD

SI_USER = 0  # si_code for kill(2)


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
