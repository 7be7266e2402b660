"""Command-line parsing: good intervals become exact nanoseconds, bad input says why."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.helptext import full_help, usage, usage_item
from sigcounter.optionparser import Option, index, parse
from sigcounter.options import OPTIONS, Options, UsageError, parse_args, parse_interval
from sigcounter.seconds import format_interval


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


def test_the_options_are_understood() -> None:
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
     (["--bogus=1"], "unrecognized option: --bogus=1"),
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


def test_every_declaration_has_its_default_and_a_value_it_reads() -> None:
    """A run that gives no option has each declaration's default, read by its
    own parse; every spelling of every option sets its attribute."""
    defaults, by_name = Options(), index(OPTIONS, Options)
    for option in OPTIONS:
        expected = option.parse(option.names[-1], option.default) if option.default else (
            None if option.value else False)
        assert getattr(defaults, option.dest) == expected, option
        value = option.choices[-1] if option.choices else option.default or "x.out"
        given = [value] if option.value else []
        for name in option.names:
            if option.answers:
                continue
            bare = _Typed()  # no defaults: what it holds, the spelling set
            parse([name, *given], by_name, bare)
            wanted = option.parse(name, given[0]) if option.value else True
            assert vars(bare) == {option.dest: wanted}, name


@pytest.mark.parametrize(
    "declare",
    [lambda: Option("--count-from", value="N", help="start at N"),
     lambda: Option("--loud", parse=lambda _name, text: text, help="a flag with a parse"),
     lambda: Option("--loud", default="1", help="a flag with a default")],
)
def test_a_declaration_that_cannot_work_fails_when_made(declare: Callable[[], Option]) -> None:
    """A value with no way to read it (the valued option nobody handles), or a
    flag with a parse or a default, is refused where it is declared."""
    with pytest.raises(TypeError, match="needs a parse"):
        declare()


class _Typed:
    count_from: int
    quiet: bool


def test_a_new_valued_option_is_one_declaration() -> None:
    """A declaration with its parse and its typed attribute is parsed, with its
    default, and with no other code; a name twice or an untyped attribute fails."""
    declared = (Option("--count-from", value="N", parse=lambda _name, text: int(text),
                       default="0", help="start counting from N"),
                Option("-q", "--quiet", help="quiet"))
    by_name = index(declared, _Typed)
    into = _Typed()
    for option in declared:
        setattr(into, option.dest, option.initial())
    assert (into.count_from, into.quiet) == (0, False)
    parse(["-q", "--count-from=7"], by_name, into)
    assert (into.count_from, into.quiet) == (7, True)
    # A parse as plain as int() raises ValueError on a bad value: one usage line.
    with pytest.raises(UsageError, match=r"^argument --count-from: invalid literal"):
        parse(["--count-from", "seven"], by_name, into)
    with pytest.raises(TypeError, match="declared twice"):
        index((*declared, Option("--quiet", help="again")), _Typed)
    with pytest.raises(TypeError, match=r"no type \[.loud.\]"):
        index((*declared, Option("--loud", help="untyped")), _Typed)


def test_help_lists_every_declaration() -> None:
    """--help's usage brackets every option, and its list gives each one's
    names, value's name, phrase and default, in the order declared."""
    text = full_help()
    flat_usage = " ".join(usage().split())
    listed = text.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    flat_list = " ".join(listed.split())
    at = 0
    for option in OPTIONS:
        assert f"[{usage_item(option)}]" in flat_usage, option
        tag = ", ".join(option.names) + (f" {option.value}" if option.value else "")
        phrase = " ".join(option.help.split())
        at = flat_list.index(f"{tag} {phrase}", at)
        if option.default:
            assert flat_list.startswith(f"(default: {option.default})",
                                        at + len(tag) + len(phrase) + 2), option
    assert max(map(len, text.splitlines())) <= 79
