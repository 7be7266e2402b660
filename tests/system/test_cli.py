"""The installed command's own answers: bad input exits 2 with one line; --version, --help."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support import SIG_COUNTER
from support.deadline import DEADLINE

from sigcounter import __version__
from sigcounter.kernel.probes import build_note


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SIG_COUNTER), *args], capture_output=True, text=True, timeout=3 * DEADLINE,
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


def test_readme_usage_lists_every_option_of_help() -> None:
    """The README's usage block names exactly the options --help documents."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    usage = readme.split("## Usage", 1)[1].split("```", 2)[1]
    help_text = _run("--help").stdout
    options_section = help_text.split("options:", 1)[1].split("signals:", 1)[0]
    documented = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", options_section))
    in_usage = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", usage))
    assert documented == in_usage, (documented ^ in_usage)
