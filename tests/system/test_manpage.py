"""man/sig-counter.1: it renders without a warning, has a manual page's sections, and
holds to the program: every option of --help is in it and every option in it is in
--help, and its signal lines are the ones the program prints."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from support.deadline import DEADLINE
from support.packaging import ROOT, SYSTEM_PATH, run

import sigcounter
from sigcounter.options import HELP, USAGE
from sigcounter.signaltable import ROWS

PAGE = ROOT / "man" / "sig-counter.1"
SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SIGNALS", "ENVIRONMENT", "FILES",
            "EXIT STATUS", "EXAMPLES", "SEE ALSO")
ENVIRONMENT = {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}
Option = tuple[str, ...]  # one option's names with its value's name: ("-q", "--quiet", "")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: ./dev.sh test installs it")
    return found


def _options(specs: list[str]) -> set[Option]:
    """"-q, --quiet" or "--trace FILE" -> ("-q", "--quiet", "") or ("--trace", "FILE")."""
    options = set()
    for spec in specs:
        names, values = zip(*(part.partition(" ")[::2] for part in spec.split(", ")),
                            strict=True)
        assert len(set(values)) == 1, spec
        options.add((*names, values[0]))
    return options


def help_options() -> set[Option]:
    """The options --help lists: its "options:" section's left column."""
    section = HELP.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    return _options(re.findall(r"^  (-\S.*?)(?:  |$)", section, re.M))


def _sections() -> dict[str, list[str]]:
    """The page's source lines by section."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in PAGE.read_text().splitlines():
        if line.startswith(".SH "):
            current = sections.setdefault(line[4:].strip('"'), [])
        else:
            current.append(line)
    return sections


def _text(macro_line: str) -> str:
    """A macro line's words as printed: ``.BR \\-q ", " \\-\\-quiet`` -> ``-q, --quiet``
    (.B, .I and .OP join their words with spaces, .BR and the like alternate fonts)."""
    macro, _, rest = macro_line.partition(" ")
    for escape, printed in (("\\fB", ""), ("\\fI", ""), ("\\fR", ""), ("\\fP", ""),
                            ("\\(em", "\N{EM DASH}"), ("\\-", "-"), ("\\~", " ")):
        rest = rest.replace(escape, printed)
    return (" " if macro in {".B", ".I", ".OP"} else "").join(shlex.split(rest))


def _tags(section: str) -> list[str]:
    """The tags of the section's ``.TP`` entries, as printed."""
    lines = _sections()[section]
    return [_text(lines[number + 1]) for number, line in enumerate(lines) if line == ".TP"]


def test_it_renders_with_no_warning() -> None:
    result = run([_tool("groff"), "-man", "-ww", "-z", str(PAGE)], timeout=6 * DEADLINE)
    assert (result.returncode, result.stdout) == (0, "")


def test_it_has_the_sections_of_a_manual_page() -> None:
    assert tuple(_sections()) == SECTIONS
    assert set(_tags("ENVIRONMENT")) == ENVIRONMENT
    assert _sections()["NAME"] == ["sig-counter \\- a ticker that counts seconds and answers "
                                   "kill signals"]


def test_every_option_of_help_is_on_the_page_and_no_other() -> None:
    assert len(help_options()) == 13  # the parse found them all
    assert _options(_tags("OPTIONS")) == help_options()


def test_the_synopsis_names_every_option() -> None:
    """The page's synopsis and --help's usage name the same options."""
    synopsis = {_text(line).split(" ")[0] for line in _sections()["SYNOPSIS"]
                if line.startswith((".OP ", ".B "))}
    usage = set(re.findall(r"\[(-[-\w]+)", USAGE))
    assert usage == {"--interval", "--tick-source", "-q", "-v", "--json", "--stats", "--trace",
                     "--cpuprofile", "--explain", "--pidfile", "--drain-timeout", "--version",
                     "-h"}
    every = {name for option in help_options() for name in option[:-1]}
    assert synopsis <= every
    assert all(set(option[:-1]) & synopsis for option in help_options())


def _signal_entries() -> list[tuple[str, str, str]]:
    """The SIGNALS section's entries as printed: (tag, the line it shows, what it does)."""
    page = "\n".join(_sections()["SIGNALS"]).split("\n.PP\n", 1)[0]
    entries = []
    for entry in page.split("\n.TP\n")[1:]:
        tag, *shown = entry.split("\n.br\n", 1)[0].splitlines()
        does = entry.split("\n.br\n", 1)[1]
        entries.append((_text(tag), " ".join(_text(line) for line in shown), does))
    return entries


def test_the_signal_entries_are_the_signal_tables() -> None:
    """One entry per row of the signal table, in order, with its name (and the key
    that sends it, or that it is a hang-up) and the line it prints; --help names
    the same signals; the rows of one action say alike what it does."""
    entries = _signal_entries()
    asides = {row.name: row.key or ("the terminal went away" if row.hangup else "")
              for row in ROWS}
    assert [(tag, shown) for tag, shown, _ in entries] == [
        (f"{row.name} ({asides[row.name]})" if asides[row.name] else row.name, row.shown)
        for row in ROWS]
    signals = HELP.split("\nsignals:\n", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"\bSIG[A-Z0-9]+\b", signals)) == set(asides)
    does = {(row.action.name, entry[2]) for row, entry in zip(ROWS, entries, strict=True)}
    assert len(does) == len({row.action for row in ROWS}), does


def test_it_carries_the_version() -> None:
    title = shlex.split(PAGE.read_text().split("\n.TH ", 1)[1].split("\n", 1)[0])
    assert title[3] == f"sig-counter {sigcounter.__version__}"


def test_man_l_shows_every_option(tmp_path: Path) -> None:
    """``man -l`` formats the page, and shows each option of --help as an entry."""
    env = {"PATH": SYSTEM_PATH, "HOME": str(tmp_path), "MANWIDTH": "100", "MANPAGER": "cat",
           "LANG": "C.UTF-8"}
    result = run([_tool("man"), "-l", str(PAGE)], env=env, timeout=6 * DEADLINE)
    assert result.returncode == 0, result.stdout
    text = re.sub(r".\x08", "", result.stdout)  # any overstrike left for bold
    assert [heading for heading in SECTIONS if f"\n{heading}\n" in text] == list(SECTIONS)
    options = text.split("\nOPTIONS\n", 1)[1].split("\nSIGNALS\n", 1)[0]
    shown = set(re.findall(r"^ {7}(-[-\w]+(?:, -[-\w]+)*)", options, re.M))
    assert {", ".join(option[:-1]) for option in help_options()} == shown
