"""Command-line parsing: good intervals become exact nanoseconds, bad input says why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.options import UsageError, format_interval, parse_args, parse_interval


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("1", 10**9), ("0.25", 250_000_000), ("0.000001", 1_000), ("86400", 86_400 * 10**9),
        ("1e-3", 1_000_000), (" 2 ", 2 * 10**9), ("0.123456789", 123_456_789), ("+3", 3 * 10**9),
        (".5", 500_000_000), ("5.", 5 * 10**9), ("1.5000000000", 1_500_000_000),
        ("2E+1", 20 * 10**9), ("100e-9", None),
    ],
)
def test_good_intervals_are_exact(text: str, nanoseconds: int | None) -> None:
    """Decimal seconds convert to nanoseconds with no float rounding."""
    if nanoseconds is None:  # 100 ns: well formed, but under a microsecond
        with pytest.raises(UsageError, match="microsecond"):
            parse_interval(text)
    else:
        assert parse_interval(text) == nanoseconds


@pytest.mark.parametrize(
    ("text", "reason"),
    [("0", "positive"), ("-1", "positive"), ("-0.5", "positive"), ("nan", "finite"),
     ("NaN", "finite"), ("inf", "finite"), ("-inf", "finite"), ("Infinity", "finite"),
     ("abc", "not a number"), ("", "not a number"), (".", "not a number"),
     ("1e", "not a number"), ("e5", "not a number"), ("1e+-5", "not a number"),
     ("--1", "not a number"), ("1_000", "not a number"), ("0x10", "not a number"),
     ("1,5", "not a number"), ("\u0661", "not a number"), ("1e-7", "microsecond"),
     ("0.0000009", "microsecond"), ("86400.000000001", "day"), ("86401", "day"),
     ("1e999999999", "day"), ("0.0000000001", "nanosecond"), ("1e-999999999", "nanosecond")],
)
def test_bad_intervals_are_refused(text: str, reason: str) -> None:
    """Zero, negatives, NaN, inf, junk, sub-microsecond, over a day: each refused with why."""
    with pytest.raises(UsageError, match=reason):
        parse_interval(text)


@given(st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(86400), places=9))
def test_interval_agrees_with_decimal(seconds: Decimal) -> None:
    """The hand parser gives what Python's Decimal gives, in any notation Decimal prints."""
    for text in (str(seconds), f"{seconds:e}", f"{seconds:f}"):
        assert parse_interval(text) == int(seconds * 10**9), text
    assert format_interval(parse_interval(str(seconds))) == f"{seconds.normalize():f}s"


def test_defaults() -> None:
    """With no options: one second, timerfd ticks, ready line on."""
    options = parse_args([])
    assert (options.interval_ns, options.tick_source) == (10**9, "timerfd")
    assert not (options.quiet or options.verbose or options.json or options.stats)


def test_every_option_is_understood() -> None:
    """Both spellings of valued options, grouped short flags, the last value winning."""
    options = parse_args([
        "--interval", "2", "--interval=0.5", "--tick-source=timeout", "-qv",
        "--json", "--stats", "--trace", "t.json", "--cpuprofile=c.prof", "--explain",
    ])
    assert options.interval_ns == 500_000_000 and options.tick_source == "timeout"
    assert options.quiet and options.verbose
    assert options.json and options.stats and options.explain
    assert (options.trace, options.cpuprofile) == ("t.json", "c.prof")


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--interval"], "expected one value"), (["--bogus"], "unrecognized option: --bogus"),
     (["extra"], "unrecognized argument: extra"), (["--quiet=yes"], "takes no value"),
     (["-qx"], "unrecognized option: -qx"), (["--tick-source", "sleep"], "timerfd or timeout"),
     (["--trace="], "file name"), (["-"], "unrecognized argument: -")],
)
def test_bad_arguments_say_what_is_wrong(argv: list[str], message: str) -> None:
    """Each mistake gets its own one-line explanation."""
    with pytest.raises(UsageError, match=message):
        parse_args(argv)


@given(st.text(max_size=30))
def test_any_interval_text_is_a_value_or_one_usage_line(text: str) -> None:
    """Whatever the text, the parser gives exact nanoseconds in range or one UsageError line."""
    try:
        nanoseconds = parse_interval(text)
    except UsageError as exc:
        message = str(exc)
        assert message.startswith("argument --interval: ") and "\n" not in message.rstrip("'")
    else:
        assert isinstance(nanoseconds, int) and 1_000 <= nanoseconds <= 86_400 * 10**9
        assert parse_interval(format_interval(nanoseconds)[:-1]) == nanoseconds


@given(st.integers(1_000, 86_400 * 10**9))
def test_every_interval_survives_a_round_trip(nanoseconds: int) -> None:
    """format_interval and parse_interval are exact inverses over the whole range."""
    assert parse_interval(format_interval(nanoseconds)[:-1]) == nanoseconds


def test_help_wins_and_double_dash_ends_the_options() -> None:
    """--help is honoured even beside a bad option; after -- nothing is an option."""
    assert parse_args(["--interval", "0", "--help"]).help
    with pytest.raises(UsageError, match="unrecognized argument: --help"):
        parse_args(["--", "--help"])
    assert parse_args(["-q", "--"]).quiet
