"""Epoll against real pipes: readiness, registration errors, EINTR, masks."""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import signal
import time
import warnings
from collections.abc import Iterator

import pytest
from support import in_child

from sigcounter.kernel.epoll import EPOLLERR, EPOLLIN, EPOLLOUT, Epoll
from sigcounter.kernel.sigset import Sigset


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        with contextlib.suppress(OSError):  # the test may have closed it
            os.close(fd)


def test_reports_a_readable_pipe(pipe: tuple[int, int]) -> None:
    """Nothing ready: []; after a write: the read end with EPOLLIN."""
    read_end, write_end = pipe
    with Epoll() as epoll:
        epoll.register(read_end)
        assert epoll.wait(0) == []
        os.write(write_end, b"x")
        assert epoll.wait(1) == [(read_end, EPOLLIN)]


def test_modify_and_unregister(pipe: tuple[int, int]) -> None:
    """modify() changes the events watched; unregister() stops watching."""
    _, write_end = pipe
    with Epoll() as epoll:
        epoll.register(write_end, EPOLLIN)
        assert epoll.wait(0) == []
        epoll.modify(write_end, EPOLLOUT)
        assert epoll.wait(0) == [(write_end, EPOLLOUT)]
        epoll.unregister(write_end)
        assert epoll.wait(0) == []


def test_objects_with_fileno_are_accepted(pipe: tuple[int, int]) -> None:
    """Anything with fileno() registers, as with select."""
    read_end, write_end = pipe
    with Epoll() as epoll, os.fdopen(os.dup(read_end), "rb") as reader:
        epoll.register(reader)
        os.write(write_end, b"x")
        assert epoll.wait(1) == [(reader.fileno(), EPOLLIN)]


def test_registration_errors_carry_the_real_errno(pipe: tuple[int, int]) -> None:
    """A second add is EEXIST; a closed fd is EBADF; a negative fd a ValueError."""
    read_end, _ = pipe
    with Epoll() as epoll:
        epoll.register(read_end)
        with pytest.raises(FileExistsError):
            epoll.register(read_end)
        spare = os.dup(read_end)
        os.close(spare)
        with pytest.raises(OSError) as info:
            epoll.register(spare)
        assert info.value.errno == errno.EBADF
        with pytest.raises(ValueError):
            epoll.register(-1)


def test_a_closed_reader_shows_as_epollerr_with_no_events_asked(pipe: tuple[int, int]) -> None:
    """The write end of a pipe reports EPOLLERR once its reader is gone."""
    read_end, write_end = pipe
    with Epoll() as epoll:
        epoll.register(write_end, 0)
        assert epoll.wait(0) == []
        os.close(read_end)
        assert epoll.wait(1) == [(write_end, EPOLLERR)]


def test_maxevents_caps_one_wait() -> None:
    """With three ready fds and maxevents=2, one wait returns two."""
    pipes = [os.pipe() for _ in range(3)]
    try:
        with Epoll(maxevents=2) as epoll:
            for read_end, write_end in pipes:
                epoll.register(read_end)
                os.write(write_end, b"x")
            assert len(epoll.wait(1)) == 2
    finally:
        for fds in pipes:
            for fd in fds:
                os.close(fd)


def test_wait_accepts_a_signal_mask() -> None:
    """epoll_pwait's mask argument goes through."""
    with Epoll() as epoll:
        assert epoll.wait(0, sigmask=Sigset([signal.SIGUSR1])) == []


def _interrupted_wait() -> tuple[list[tuple[int, int]], float, int]:
    handled = []
    signal.signal(signal.SIGALRM, lambda signum, frame: handled.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    started = time.monotonic()
    with Epoll() as epoll:
        ready = epoll.wait(0.3)
    return ready, time.monotonic() - started, len(handled)


def test_eintr_is_retried_for_the_time_left() -> None:
    """A handled signal mid-wait runs its handler and the wait goes on to its timeout."""
    ready, elapsed, handled = in_child(_interrupted_wait)
    assert ready == [] and handled == 1
    assert elapsed >= 0.29


def test_closed_epoll_refuses_use() -> None:
    """After close(), wait() raises ValueError and closed is true."""
    epoll = Epoll()
    epoll.close()
    assert epoll.closed and "closed" in repr(epoll)
    with pytest.raises(ValueError):
        epoll.wait(0)


def test_an_epoll_left_open_warns_as_a_file_does_and_is_closed() -> None:
    """An FdObject collected while open gives a ResourceWarning naming it, as
    io.FileIO does, and its fd is closed."""
    epoll = Epoll()
    fd = epoll.fileno()
    with pytest.warns(ResourceWarning, match=f"unclosed <Epoll fd={fd}>"):
        del epoll
        gc.collect()
    with pytest.raises(OSError) as closed:
        os.fstat(fd)
    assert closed.value.errno == errno.EBADF


def test_an_epoll_closed_in_time_says_nothing() -> None:
    """close() before collection: no ResourceWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Epoll().close()
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
