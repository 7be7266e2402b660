"""The README's "As a library" example, run exactly as a reader would paste it."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DEADLINE, Running, blocked_signals, poll_until

README = Path(__file__).parents[2] / "README.md"
HEADING = "### As a library"
HANDLED = {signal.SIGUSR1, signal.SIGTERM}


def readme_example() -> str:
    """The first ```python block under HEADING, before any other heading."""
    text = README.read_text()
    start = text.index(f"\n{HEADING}\n") + len(HEADING) + 2
    opening = text.index("```python\n", start) + len("```python\n")
    between = text[start:opening].splitlines()
    assert not any(line.startswith("#") for line in between), f"no python block in {HEADING}"
    return text[opening:text.index("\n```\n", opening) + 1]


@pytest.fixture
def example(tmp_path: Path) -> Iterator[Running]:
    """The example under this venv's python, unbuffered as in a terminal; killed in teardown."""
    process = Running(
        "-u", "-c", readme_example(), program=(sys.executable,),
        cwd=tmp_path,  # not the source tree, which has no built extension
    )
    yield process
    process.stop()


def _line_naming(process: Running, *words: str) -> bytes:
    """The first stdout line holding every one of ``words``; others must be timer lines."""
    deadline = time.monotonic() + DEADLINE
    while True:
        line = process.line(timeout=max(0.0, deadline - time.monotonic()))
        if set(words) <= set(line.decode().split()):
            return line
        assert line.startswith(b"expirations: "), line


def test_example_answers_sigusr1_and_stops_on_sigterm(example: Running) -> None:
    """Pasted as is, the example prints SIGUSR1 with its sender's pid, and exits 0 on SIGTERM."""
    # Until both are blocked (SigBlk in /proc), a SIGUSR1 would kill it.
    poll_until(
        lambda: example.proc.poll() is not None or blocked_signals(example.pid) >= HANDLED,
        what="the example to block SIGUSR1 and SIGTERM",
    )
    assert example.proc.poll() is None, "".join(example.rest_of_stderr())
    example.send(signal.SIGUSR1)
    _line_naming(example, "SIGUSR1", str(os.getpid()))
    example.send(signal.SIGTERM)
    assert example.wait_exit() == 0
    assert example.rest_of_stderr() == []
