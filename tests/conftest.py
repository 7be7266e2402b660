"""Fixtures, and the marker each test gets from its folder.

The helpers live in support/; this file holds only what pytest must find here.
``pytest -m unit`` is the quick run: no kernel objects, no subprocesses.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from support import SIG_COUNTER, Running

TESTS = Path(__file__).parent
# The folders a test may live in, each named for what its tests need (and so
# for the marker they get): unit is pure (no kernel fds, no subprocess);
# kernel uses real fds, with process-wide changes in forked children; system
# runs the installed command as a subprocess, under strace or bpftrace.
KINDS = ("unit", "kernel", "system")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test ``unit``, ``kernel`` or ``system`` by the folder it lives in."""
    for item in items:
        parts = item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else ()
        if len(parts) < 2 or parts[0] not in KINDS:
            raise pytest.UsageError(
                f"{item.nodeid}: tests belong in tests/unit, tests/kernel or tests/system"
            )
        item.add_marker(parts[0])


@pytest.fixture
def sig_counter() -> Iterator[Callable[..., Running]]:
    """Start sig-counter with the given options; killed in teardown."""
    if not SIG_COUNTER.exists():
        pytest.fail(f"{SIG_COUNTER} is not installed: run ./dev.sh test")
    started: list[Running] = []

    def start(*args: str, stdout: int | IO[bytes] = subprocess.PIPE) -> Running:
        running = Running(*args, stdout=stdout)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
