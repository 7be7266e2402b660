"""Fixtures, and the marker each test gets from its folder.

The helpers live in support/; this file holds only what pytest must find here.
``pytest -m unit`` is the quick run: no kernel objects, no subprocesses.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import SIG_COUNTER, Running, StartFn
from support.deadline import BACKSTOP
from support.process import stopped_at_end

TESTS = Path(__file__).parent
# The folders a test may live in, each named for what its tests need (and so
# for the marker they get): unit is pure (no kernel fds, no subprocess);
# kernel uses real fds, with process-wide changes in forked children; system
# runs the installed command as a subprocess, under strace or bpftrace.
KINDS = ("unit", "kernel", "system")


def _survive_hang_ups(signum: int, frame: object) -> None:
    """The suite's SIGHUP handler: carry on, as nohup would have it."""


def pytest_configure() -> None:
    """Give the programs the tests start the signal dispositions a terminal gives.

    Run under nohup, or as a script's background job, the suite inherits
    SIGHUP or SIGINT ignored, and so would every sig-counter it starts: one
    then keeps SIGHUP ignored, as nohup asks, and the tests of the hang-up
    fail for a reason of the machine's. A handler is reset to the default at
    exec, where SIG_IGN is inherited: the suite still survives a hang-up, and
    its children start as they would from a terminal."""
    if signal.getsignal(signal.SIGHUP) == signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _survive_hang_ups)
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test ``unit``, ``kernel`` or ``system`` by the folder it lives in, and
    give each without a timeout of its own the backstop, which scales with DEADLINE."""
    for item in items:
        parts = item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else ()
        if len(parts) < 2 or parts[0] not in KINDS:
            raise pytest.UsageError(
                f"{item.nodeid}: tests belong in tests/unit, tests/kernel or tests/system"
            )
        item.add_marker(parts[0])
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(BACKSTOP))


@pytest.fixture
def sig_counter() -> Iterator[StartFn]:
    """Start sig-counter with the given options (keywords go to Popen, as ``Child``
    takes them); killed in teardown."""
    if not SIG_COUNTER.exists():
        pytest.fail(f"{SIG_COUNTER} is not installed: run ./dev.sh test")
    with stopped_at_end(list[Running]()) as started:

        def start(*args: str, **popen: Any) -> Running:
            started.append(Running(*args, **popen))
            return started[-1]

        yield start


@pytest.fixture
def pipe_ends() -> Iterator[tuple[int, int]]:
    """(read end, write end) of a fresh pipe for a run's stdout; both closed in
    teardown (the write end may be closed already, once handed to the run)."""
    read_end, write_end = os.pipe()
    try:
        yield read_end, write_end
    finally:
        os.close(read_end)
        with contextlib.suppress(OSError):
            os.close(write_end)
