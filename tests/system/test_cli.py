"""The installed command's own answers: bad input exits 2 with one line; --version, --help."""

from __future__ import annotations

import subprocess

import pytest
from support import SIG_COUNTER

from sigcounter import __version__
from sigcounter.kernel.probes import build_note


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SIG_COUNTER), *args], capture_output=True, text=True, timeout=30,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "args",
    [["--interval", "0"], ["--interval", "-1"], ["--interval", "nan"], ["--interval", "inf"],
     ["--interval"], ["--bogus"], ["extra"], ["--interval", "1e-9"], ["--interval", "1e6"],
     ["--tick-source", "nope"]],
)
def test_bad_options_exit_2_with_one_line(args: list[str]) -> None:
    """The installed command rejects bad input with status 2 and one stderr line."""
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("sig-counter: error: ")
    assert result.stderr.endswith(" (see --help)\n") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_version_and_help() -> None:
    """--version names the version; --help documents every option and signal."""
    assert _run("--version").stdout == f"sig-counter {__version__} ({build_note()})\n"
    help_text = _run("--help").stdout
    for word in ("--interval", "--tick-source", "--quiet", "--verbose",
                 "--json", "--stats", "--trace", "--cpuprofile", "--explain", "--version",
                 "SIGUSR1", "SIGUSR2", "SIGTERM"):
        assert word in help_text, word
