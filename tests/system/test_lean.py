"""The start-up tricks of sigcounter/kernel/lean.py: still needed, still working."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

from support import DEADLINE, READY, SIG_COUNTER

FORBIDDEN = ("typing", "re", "enum", "signal", "collections")


def _modules_of_a_plain_run() -> set[str]:
    """Every module the plain command imported, up to a clean shutdown."""
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", str(SIG_COUNTER)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    modules: set[str] = set()
    deadline, buffered = time.monotonic() + DEADLINE, b""
    try:
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "no ready line"
            if select.select([proc.stderr], [], [], left)[0]:
                chunk = os.read(proc.stderr.fileno(), 65536)
                assert chunk, "sig-counter exited before it was ready"
                buffered += chunk
            *lines, buffered_tail = buffered.split(b"\n")
            buffered = buffered_tail
            for line in (raw.decode() for raw in lines):
                if READY.match(line):
                    proc.send_signal(signal.SIGTERM)
                    _, rest = proc.communicate(timeout=DEADLINE)
                    lines_after = rest.decode().splitlines()
                    return modules | _names(lines_after)
                modules |= _names([line])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=DEADLINE)


def _names(lines: list[str]) -> set[str]:
    # "import time:  self [us] | cumulative | imported package": the last column.
    return {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}


def test_the_plain_command_imports_none_of_the_heavy_modules() -> None:
    """typing, re, enum, signal and collections stay out of the plain run."""
    modules = _modules_of_a_plain_run()
    assert "sigcounter.loop" in modules  # the probe saw the real run
    assert not set(FORBIDDEN) & modules


def _new_modules(statement: str) -> list[str]:
    # Only sys is imported first: json would bring re and collections along.
    code = f"import sys; before = set(sys.modules); {statement}; " \
        "print(' '.join(sorted(set(sys.modules) - before)))"
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True,
                            text=True, timeout=DEADLINE, check=True)
    return result.stdout.split()


def test_each_trick_still_avoids_what_it_says() -> None:
    """The imports lean.py stands in for would each load more than it does."""
    assert {"collections", "functools"} <= set(_new_modules("import typing"))
    assert set(_new_modules("from _operator import itemgetter")) <= {"_operator"}  # built in
    assert "operator" in _new_modules("import operator")
    assert set(_new_modules("import _prctl")) < set(_new_modules("import prctl"))
