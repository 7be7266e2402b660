"""How a document's example blocks are read: their marks and the man page's escapes."""

from __future__ import annotations

import pytest
from support.examples import Mark, parse_mark, unroff


def test_a_not_run_mark_keeps_its_reason() -> None:
    """``not run, REASON`` leaves the block out and says why."""
    assert parse_mark("not run, needs systemd as PID 1") == Mark(not_run="needs systemd as PID 1")


def test_clauses_combine() -> None:
    """Clauses separated by ``;`` add up: needs (a list) and Ctrl-C together."""
    assert parse_mark("needs root, py-spy; until Ctrl-C") == Mark(
        needs=("root", "py-spy"), until_ctrl_c=True)


def test_run_by_names_the_test() -> None:
    """``run by PATH`` names the test file that runs the block."""
    assert parse_mark("run by tests/system/x.py").run_by == "tests/system/x.py"


def test_an_unknown_clause_is_an_error() -> None:
    """A misspelt mark fails loudly rather than leaving a block unrun."""
    with pytest.raises(ValueError, match="unknown example mark clause 'no run'"):
        parse_mark("no run")


def test_the_roff_escapes_of_an_example_are_undone() -> None:
    """A man page line reads as the page shows it: dashes, backslashes and quotes."""
    assert unroff(r"pkill \-L \-F /run/x.pid \(aq\e$\(dq\&") == "pkill -L -F /run/x.pid '\\$\""
