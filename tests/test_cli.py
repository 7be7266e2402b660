"""Command-line parsing: good intervals become exact nanoseconds, bad input exits 2."""

from __future__ import annotations

import argparse
import subprocess
from decimal import Decimal

import pytest
from conftest import SIG_COUNTER
from hypothesis import given
from hypothesis import strategies as st

from sigcounter import __version__
from sigcounter.cli import build_parser, format_interval, parse_interval


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("1", 10**9), ("0.25", 250_000_000), ("0.000001", 1_000), ("86400", 86_400 * 10**9),
        ("1e-3", 1_000_000), (" 2 ", 2 * 10**9), ("0.123456789", 123_456_789),
    ],
)
def test_good_intervals_are_exact(text: str, nanoseconds: int) -> None:
    """Decimal seconds convert to nanoseconds with no float rounding."""
    assert parse_interval(text) == nanoseconds


@pytest.mark.parametrize(
    "text",
    ["0", "-1", "-0.5", "nan", "NaN", "inf", "-inf", "Infinity", "abc", "", "1e-7",
     "0.0000009", "86400.000000001", "86401", "0.0000000001", "1,5"],
)
def test_bad_intervals_are_refused(text: str) -> None:
    """Zero, negatives, NaN, inf, sub-microsecond, over a day, junk: all refused."""
    with pytest.raises(argparse.ArgumentTypeError):
        parse_interval(text)


@given(st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(86400), places=9))
def test_interval_round_trips_through_its_display(seconds: Decimal) -> None:
    """What the ready line shows is exactly the interval that was given."""
    assert format_interval(parse_interval(str(seconds))) == f"{seconds.normalize():f}s"


def test_defaults() -> None:
    """With no options: one second, ready line on."""
    args = build_parser().parse_args([])
    assert (args.interval_ns, args.quiet) == (10**9, False)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SIG_COUNTER), *args], capture_output=True, text=True, timeout=30,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "args",
    [["--interval", "0"], ["--interval", "-1"], ["--interval", "nan"], ["--interval", "inf"],
     ["--interval"], ["--bogus"], ["extra"], ["--interval", "1e-9"], ["--interval", "1e6"]],
)
def test_bad_options_exit_2_with_one_line(args: list[str]) -> None:
    """The installed command rejects bad input with status 2 and one stderr line."""
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("sig-counter: error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_version_and_help() -> None:
    """--version names the version; --help documents every option and signal."""
    assert _run("--version").stdout == f"sig-counter {__version__}\n"
    help_text = _run("--help").stdout
    for word in ("--interval", "--quiet", "--version", "SIGUSR1", "SIGUSR2", "SIGTERM"):
        assert word in help_text
