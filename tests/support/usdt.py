"""The USDT probes from outside: the notes in the installed extension, and
bpftrace attached to a running process, its lines read with deadlines."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest

from sigcounter.kernel.probes import BUILT_WITH_PROBES, EXTENSION_PATH
from support import DEADLINE, Child, NoLine

BUILDER = Path(__file__).resolve().parents[2] / "native" / "build_native.py"
# bpftrace prints "Attaching N probes..." *before* it attaches them; BEGIN
# runs after they all are, so this line is the one to wait for.
BEGAN = "sig-counter-test: probes attached"


class Note(NamedTuple):
    """One ``.note.stapsdt`` entry, as ``readelf -n`` prints it."""

    provider: str
    name: str
    location: int
    semaphore: int
    arguments: list[str]


_NOTE = re.compile(
    r"Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: 0x[0-9a-f]+, "
    r"Semaphore: (0x[0-9a-f]+)\s+Arguments:([^\n]*)"
)


def stapsdt_notes(path: str) -> list[Note]:
    """The USDT probes ``readelf -n`` finds in an ELF file."""
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.fail("readelf is not installed (binutils, which gcc brings)")
    text = subprocess.run(
        [readelf, "-n", path], capture_output=True, text=True, check=True, timeout=DEADLINE,
    ).stdout
    return [Note(provider, name, int(location, 16), int(semaphore, 16), arguments.split())
            for provider, name, location, semaphore, arguments in _NOTE.findall(text)]


def load_builder() -> ModuleType:
    """native/build_native.py, freshly loaded (it reads $CC and $SIGCOUNTER_PROBES)."""
    spec = importlib.util.spec_from_file_location("build_native", BUILDER)
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    return builder


def compiler_has_sdt_h() -> bool:
    """The build's own check: can the compiler include <sys/sdt.h>?"""
    return bool(load_builder().compiler_has_sdt_h())


def require_probes() -> None:
    """Fail, saying what to do, when the installed extension has no probes."""
    if not BUILT_WITH_PROBES:
        fix = ("the compiler has it now: reinstall" if compiler_has_sdt_h()
               else "install systemtap-sdt-dev, as ./dev.sh test does, and reinstall")
        pytest.fail(f"{EXTENSION_PATH} was built without <sys/sdt.h>, so it has no "
                    f"USDT probes ({fix})")


def require_bpf() -> str:
    """bpftrace's path; skip when BPF cannot run here at all, saying why."""
    bpftrace = shutil.which("bpftrace")
    if bpftrace is None:
        pytest.fail("bpftrace is not installed: ./dev.sh test installs it")
    if os.geteuid() != 0:
        pytest.skip("BPF needs root (CAP_BPF and CAP_PERFMON): run the tests as root")
    result = subprocess.run(
        [bpftrace, "-e", 'BEGIN { printf("ok\\n"); exit(); }'],
        capture_output=True, text=True, timeout=6 * DEADLINE, stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0 or "ok" not in result.stdout:
        pytest.skip(f"BPF cannot run here: bpftrace says {result.stderr.strip()!r}")
    return bpftrace


def usdt(probe: str) -> str:
    """The bpftrace probe spec of one of sig-counter's probes."""
    return f"usdt:{EXTENSION_PATH}:sigcounter:{probe}"


class Bpftrace:
    """bpftrace running, its stdout read line by line; started by ``attach`` or ``shell``."""

    def __init__(self, argv: list[str], ready: Callable[[str], bool], what: str) -> None:
        self.process = Child(argv)
        self.history: list[str] = []  # every line read so far, in order
        try:
            self.wait_for(ready, what, timeout=6 * DEADLINE)
        except BaseException:
            self.stop()
            raise

    @classmethod
    def attach(cls, bpftrace: str, pid: int, program: str) -> Bpftrace:
        """``bpftrace -p PID -e PROGRAM``, returned once every probe is attached."""
        argv = [bpftrace, "-p", str(pid), "-e", f'BEGIN {{ printf("{BEGAN}\\n"); }} {program}']
        return cls(argv, lambda line: line.startswith(BEGAN), "its BEGIN line")

    @classmethod
    def shell(cls, command: str) -> Bpftrace:
        """A bpftrace command line run by bash, returned once it says it is attaching
        (its probes may not all be in yet: no BEGIN line to wait for)."""
        return cls(["bash", "-c", f"exec {command}"], lambda line: line.startswith("Attaching"),
                   "its Attaching line")

    def wait_for(
        self, wanted: Callable[[str], bool], what: str, timeout: float = DEADLINE
    ) -> str:
        """Read lines up to the next one for which ``wanted(line)`` is true."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.process.line(max(0.0, deadline - time.monotonic())).decode()
            except NoLine as missing:
                if missing.ended:
                    errors = "".join(self.process.rest_of_stderr()).strip()
                    raise AssertionError(f"bpftrace ended before {what}: {errors}") from None
                raise AssertionError(f"bpftrace printed no {what} within {timeout}s; "
                                     f"it printed {seen[-5:]}") from None
            self.history.append(line)
            if wanted(line):
                return line
            seen.append(line)

    def stop(self) -> None:
        """Detach (Ctrl-C, as a user would), or kill it at the deadline."""
        self.process.stop(signal.SIGINT)
