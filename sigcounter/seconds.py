"""A decimal number of seconds as exact integer nanoseconds, and back.

Read by hand, digit by digit, rather than through ``float`` (which rounds
0.1) or ``decimal`` (one import more, and it would build a huge number from
``1e999999999``). A value that is not one is a ``ValueError`` whose message
says why, ending with the value as given; ``options`` names the option.
"""

from __future__ import annotations

from sigcounter.kernel.constants import NS_PER_S
from sigcounter.shown import quoted


def to_nanoseconds(text: str, minimum_ns: int, maximum_ns: int, range_text: str = "") -> int:
    """``text``, a decimal number of seconds (``0.25``, ``1e-3``), as exact
    nanoseconds within [minimum_ns, maximum_ns]; a one-line ValueError if not."""
    sign, significant, power = _decimal(text)
    if (sign < 0 and significant) or (not significant and minimum_ns > 0):
        raise ValueError(f"must be positive: {value_shown(text)}")
    scale = power + 9  # nanoseconds = int(significant) * 10**scale
    if significant and scale < 0:  # its last digit, not a zero, is below a nanosecond
        raise ValueError(f"finer than a nanosecond: {value_shown(text)}")
    if not significant:
        nanoseconds = 0
    elif len(significant) + scale > 30:
        nanoseconds = maximum_ns + 1  # far beyond the range: no huge number is built
    else:
        nanoseconds = int(significant) * 10**scale
    if not minimum_ns <= nanoseconds <= maximum_ns:
        range_text = range_text or (
            f"{format_interval(minimum_ns)[:-1]} to {format_interval(maximum_ns)[:-1]} seconds")
        raise ValueError(f"must be from {range_text}: {value_shown(text)}")
    return nanoseconds


def _decimal(text: str) -> tuple[int, str, int]:
    """``text`` as (sign, significant digits, power of ten), exactly: "0.250" ->
    (1, "25", -2); zero has no significant digits. Leading and trailing zeros
    are dropped before any digit becomes a number, so a value of any length
    (``0000...01``) is read without converting thousands of digits."""
    stripped = text.strip()
    if stripped.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
        raise ValueError(f"must be a finite number of seconds: {value_shown(text)}")
    mantissa, has_exponent, exponent_text = stripped.lower().partition("e")
    sign = -1 if mantissa.startswith("-") else 1
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    exponent_digits = exponent_text.lstrip("+-")
    well_formed = (
        mantissa[:1] in "+-0123456789." and len(mantissa) - len(mantissa.lstrip("+-")) <= 1
        and (whole or fraction) and _digits(whole) and _digits(fraction)
        and (not has_exponent or (exponent_digits and _digits(exponent_digits)
                                  and len(exponent_text) - len(exponent_digits) <= 1))
    )
    if not well_formed:
        raise ValueError(f"not a number of seconds: {value_shown(text)}")
    exponent = _exponent(exponent_text) if has_exponent else 0
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    return sign, significant, exponent - len(fraction) + len(digits) - len(significant)


def _exponent(text: str) -> int:
    """A well-formed exponent's value; past 18 digits, 10**18 of the same sign,
    which no string that fits in memory can bring back into range."""
    digits = text.lstrip("+-").lstrip("0")
    magnitude = int(digits or "0") if len(digits) <= 18 else 10**18
    return -magnitude if text.startswith("-") else magnitude


def _digits(text: str) -> bool:
    return text == "" or (text.isascii() and text.isdigit())


def value_shown(text: str) -> str:
    """A value for a message: quoted, and cut in the middle when long."""
    if len(text) <= 40:
        return quoted(text)
    return f"{quoted(text[:16] + '...' + text[-16:])} ({len(text)} characters)"


def format_interval(nanoseconds: int) -> str:
    """Nanoseconds as the shortest exact decimal of seconds: 250000000 -> "0.25s"."""
    seconds, fraction = divmod(nanoseconds, NS_PER_S)
    return f"{seconds}.{fraction:09d}".rstrip("0").rstrip(".") + "s"
