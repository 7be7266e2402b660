"""The cffi extension: built, importable, and agreeing with the kernel ABI."""

from __future__ import annotations

import os
import platform
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import in_child
from support.deadline import DEADLINE
from support.procfs import blocked_signals

from sigcounter.kernel.fd import check
from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.siginfo import RECORD_SIZE
from sigcounter.kernel.sigset import Sigset


def test_siginfo_is_the_kernel_record_size() -> None:
    """One signalfd record is 128 bytes, as the decoder assumes."""
    assert ffi.sizeof("struct signalfd_siginfo") == RECORD_SIZE == 128


def test_constants_agree_with_the_standard_library() -> None:
    """Constants come from the C headers and match Python's own copies."""
    assert lib.EPOLLIN == select.EPOLLIN
    assert lib.EPOLLERR == select.EPOLLERR
    assert lib.EPOLL_CLOEXEC == select.EPOLL_CLOEXEC
    assert lib.SFD_CLOEXEC == lib.TFD_CLOEXEC == os.O_CLOEXEC
    assert lib.SFD_NONBLOCK == lib.TFD_NONBLOCK == os.O_NONBLOCK
    assert lib.CLOCK_MONOTONIC == time.CLOCK_MONOTONIC


@pytest.mark.skipif(platform.machine() != "x86_64", reason="packed only on x86-64")
def test_epoll_event_is_packed_on_x86_64() -> None:
    """The compiler, not a guess, decided epoll_event's layout."""
    assert ffi.sizeof("struct epoll_event") == 12


def _import_error(setup: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{setup}\nfrom sigcounter.cli import main\nsys.exit(main([]))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=3 * DEADLINE,
        stdin=subprocess.DEVNULL,
    )


def test_missing_native_module_is_one_clear_line() -> None:
    """Without the extension the program says how to build it, no traceback."""
    result = _import_error("sys.modules['sigcounter.kernel._native'] = None")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not built" in result.stderr and "pip install" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_linux_is_one_clear_line() -> None:
    """On another system the program says it needs Linux, no traceback."""
    result = _import_error("sys.platform = 'darwin'")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "needs Linux" in result.stderr and "'darwin'" in result.stderr


HEADER = Path(__file__).parents[2] / "native" / "loop_wait.h"
# Modules built from other sources: as cffi would see them, the functions left out.
STALE_LAYOUTS = {
    "struct sig_info": "struct sig_info { int64_t signo; int64_t code; };",
    "struct loop_wait": HEADER.read_text().split("int loop_wait(")[0].replace(
        "uint64_t tag;", "uint32_t tag;"),
}


def _stale_module(cdef: str) -> str:
    """Code that puts a module with ``cdef``'s structs in place of the built one."""
    cdef = "struct signalfd_siginfo { char bytes[128]; };\n" + cdef
    return (
        "import types, cffi\n"
        "import sigcounter.kernel._native as built\n"
        f"stale = cffi.FFI()\nstale.cdef({cdef!r})\n"
        "sys.modules['sigcounter.kernel._native'] = types.SimpleNamespace(ffi=stale, "
        "lib=built.lib)\n"
    )


@pytest.mark.parametrize("struct", sorted(STALE_LAYOUTS))
def test_a_module_built_from_other_sources_is_one_clear_line(struct: str) -> None:
    """A native module whose sig_info is not SigInfo's layout, or whose epoll tags
    are 32 bits, fails at start-up with one line saying to rebuild it, not with
    shifted fields or a traceback."""
    result = _import_error(_stale_module(STALE_LAYOUTS[struct]))
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "built from other sources" in result.stderr and struct in result.stderr
    assert "Traceback" not in result.stderr


# glibc's two internal signals, below the SIGRTMIN it reports: thread cancellation and
# set*id calls made on every thread's behalf.
GLIBC_INTERNAL = {signal.SIGRTMIN - 2, signal.SIGRTMIN - 1}


def _blocked_when_the_set_holds_glibcs_own() -> set[int]:
    signals = Sigset([signal.SIGUSR1])
    # sigaddset refuses them here, so set their bits by hand (signal n is bit n - 1 of a
    # little-endian sigset_t), as a set made some other way could hold them.
    raw = ffi.cast("unsigned char *", signals.cdata)
    for signum in GLIBC_INTERNAL:
        raw[(signum - 1) // 8] |= 1 << ((signum - 1) % 8)
    check(lib.sigprocmask(lib.SIG_BLOCK, signals.cdata, ffi.NULL))
    return blocked_signals(os.getpid())


@pytest.mark.skipif(sys.byteorder != "little", reason="sets the sigset_t's bits by hand")
def test_the_mask_call_never_blocks_glibcs_internal_signals() -> None:
    """The module's mask call (glibc's sigprocmask) blocks SIGUSR1 but drops glibc's two
    internal signals from the set, which a raw rt_sigprocmask would block and every
    thread started later would inherit."""
    assert int(signal.SIGRTMIN) == 34  # glibc's: the kernel's 32, less the two it keeps
    blocked = in_child(_blocked_when_the_set_holds_glibcs_own)
    assert signal.SIGUSR1 in blocked
    assert blocked & GLIBC_INTERNAL == set()
