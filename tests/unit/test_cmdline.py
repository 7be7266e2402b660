"""The command line the kernel shows: where its area is, read from
/proc/PID/stat, and the words laid out in it as the kernel shows them."""

from __future__ import annotations

from sigcounter.kernel.cmdline import cmdline_area, cmdline_bytes

# A /proc/PID/stat line whose comm holds a space and a parenthesis, as a
# process may name itself; the 48th and 49th fields are 4444 and 5555.
STAT = (b"77 (odd) name) S " + b" ".join(b"%d" % field for field in range(4, 48))
        + b" 4444 5555 6666 7777 8888 0\n")


def test_the_area_is_read_after_the_last_parenthesis() -> None:
    """arg_start and arg_end are fields 48 and 49, counted past a comm with ') ' in it."""
    assert cmdline_area(STAT) == (4444, 5555)


def test_words_are_nul_terminated_and_padded_with_nuls() -> None:
    """Each word ends in a NUL and the rest of the area is NULs, so its last byte is one."""
    assert cmdline_bytes([b"sig-counter", b"-i", b"2"], 20) == b"sig-counter\0-i\x002\0\0\0\0"


def test_words_that_fill_the_area_exactly_fit() -> None:
    """An area exactly as long as the words and their NULs takes them."""
    assert cmdline_bytes([b"ab", b"c"], 5) == b"ab\0c\0"


def test_words_that_do_not_fit_change_nothing() -> None:
    """One byte short, or an area the kernel did not tell: None, nothing written."""
    assert cmdline_bytes([b"ab", b"c"], 4) is None
    assert cmdline_bytes([b"ab"], 0) is None


def test_a_word_holding_a_nul_is_refused() -> None:
    """A NUL inside a word would split it in two as the kernel shows it."""
    assert cmdline_bytes([b"a\0b"], 10) is None
