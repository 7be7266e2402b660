"""man/sig-counter.1: it renders without a warning, has a manual page's sections, and
holds to the program: its SYNOPSIS and OPTIONS are the option declarations, in their
order, with their defaults, and its signal lines are the ones the program prints."""

from __future__ import annotations

import itertools
import re
import shlex
import shutil
from pathlib import Path

import pytest
from support.deadline import DEADLINE
from support.packaging import ROOT, SYSTEM_PATH, run

import sigcounter
from sigcounter.helptext import full_help
from sigcounter.options import OPTIONS
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


def help_options() -> set[Option]:
    """Every declared option: its names and its value's name."""
    return {(*option.names, option.value) for option in OPTIONS}


def _tag(names: tuple[str, ...], value: str) -> str:
    return ", ".join(names) + (f" {value}" if value else "")


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


def _entries(section: str) -> dict[str, str]:
    """The section's ``.TP`` entries as printed: tag -> its text, in page order."""
    lines, entries = _sections()[section], {}
    starts = [number for number, line in enumerate(lines) if line == ".TP"] + [len(lines)]
    for start, end in itertools.pairwise(starts):
        body = lines[start + 2:end]
        # Words only: a body's macro lines are read without their fonts and quotes.
        entries[_text(lines[start + 1])] = " ".join(
            line.partition(" ")[2].replace('"', "") if line.startswith(".") else line
            for line in body)
    return entries


def test_the_options_are_the_declarations_in_order_with_their_defaults() -> None:
    """One OPTIONS entry per declared option, in the order declared, tagged with
    its names and value's name; each default is the one the page gives."""
    entries = _entries("OPTIONS")
    assert list(entries) == [_tag(option.names, option.value) for option in OPTIONS]
    for option in OPTIONS:
        text = entries[_tag(option.names, option.value)]
        if option.default is not None:
            assert (f"The default is {option.default}." in text
                    or f"{option.default} (the default)" in text), option


def test_the_synopsis_is_the_declarations() -> None:
    """The synopsis's first form brackets each option that runs the program, in
    order, with its value's name or choices; those that answer instead (--help,
    --version) each have a form of their own."""
    lines = _sections()["SYNOPSIS"]
    bracketed = [_text(line) for line in lines if line.startswith(".OP ")]
    alone = [_text(line) for line in lines if line.startswith(".B ")]
    assert bracketed == [
        f"{option.names[0]} {'|'.join(option.choices) or option.value}".rstrip()
        for option in OPTIONS if not option.answers]
    assert sorted(alone) == sorted(option.names[-1] for option in OPTIONS if option.answers)


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
    signals = full_help().split("\nsignals:\n", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"\bSIG[A-Z0-9]+\b", signals)) == set(asides)
    does = {(row.action.name, entry[2]) for row, entry in zip(ROWS, entries, strict=True)}
    assert len(does) == len({row.action for row in ROWS}), does


def test_the_description_names_every_handled_signal() -> None:
    """DESCRIPTION's first paragraph says what each handled signal does: a row added
    to the signal table fails here until the paragraph names its signal."""
    first_paragraph = " ".join(_sections()["DESCRIPTION"]).split(".PP", 1)[0]
    named = set(re.findall(r"\bSIG[A-Z0-9]+\b", first_paragraph))
    assert named == {row.name for row in ROWS}


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
