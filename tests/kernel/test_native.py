"""The cffi extension: built, importable, and agreeing with the kernel ABI."""

from __future__ import annotations

import os
import platform
import select
import struct
import subprocess
import sys
import time

import pytest
from support import SIGINFO_LAYOUT

from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.siginfo import RECORD_SIZE


def test_siginfo_is_the_kernel_record_size() -> None:
    """One signalfd record is 128 bytes, as the decoder assumes."""
    assert ffi.sizeof("struct signalfd_siginfo") == RECORD_SIZE == 128


def test_decoder_layout_matches_the_c_struct() -> None:
    """The pure decoder's field offsets are the compiler's offsets."""
    names = [
        "ssi_signo", "ssi_errno", "ssi_code", "ssi_pid", "ssi_uid", "ssi_fd", "ssi_tid",
        "ssi_band", "ssi_overrun", "ssi_trapno", "ssi_status", "ssi_int", "ssi_ptr",
        "ssi_utime", "ssi_stime", "ssi_addr",
    ]
    codes = SIGINFO_LAYOUT.lstrip("=")
    assert len(codes) == len(names)
    for index, name in enumerate(names):
        offset = struct.calcsize("=" + codes[:index])
        assert ffi.offsetof("struct signalfd_siginfo", name) == offset, name


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
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
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
