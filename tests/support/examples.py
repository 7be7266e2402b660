"""The shell examples of the documents, taken out as a reader finds them.

An example is a Markdown ```sh block, or an .EX/.EE block of a man page's EXAMPLES
section (its roff escapes undone). Output and transcripts are ```console or ```text
and are not examples. A block may carry a mark on the line right before it, an HTML
comment in Markdown (``<!-- example: ... -->``), a roff comment in the man page
(``.\\" example: ...``), made of clauses separated by ``;``:

- ``not run, REASON``: never run here, for the REASON given (no systemd as PID 1 ...);
- ``run by tests/PATH``: another test runs it, with what it needs around it;
- ``needs root, perf``: run only where the test runs as root and finds ``perf``;
  skipped, saying so, elsewhere;
- ``until Ctrl-C``: it runs in the foreground until the reader types Ctrl-C, which
  the test does, as a terminal does, once the ready line is out.

Every block without ``not run`` or ``run by`` is run by tests/system/test_doc_examples.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN_MARK = re.compile(r"^<!-- example: (.*) -->$")
MAN_MARK = re.compile(r'^\.\\" example: (.*)$')
# The roff escapes a man page's examples use, and the characters they stand for.
ROFF_ESCAPES = {"\\-": "-", "\\e": "\\", "\\(aq": "'", "\\(dq": '"', "\\&": "", "\\(ti": "~"}


@dataclass(frozen=True)
class Mark:
    """What a block's mark says; no mark at all is ``Mark()``: run it, as it is."""

    not_run: str = ""  # why it is never run here
    run_by: str = ""  # the test file that runs it instead
    needs: tuple[str, ...] = ()  # "root", or programs on PATH
    until_ctrl_c: bool = False


@dataclass(frozen=True)
class Example:
    """One block: its document, the line it starts on, its text and its mark."""

    document: str
    line: int
    text: str
    mark: Mark = field(default_factory=Mark)

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


def parse_mark(text: str) -> Mark:
    """The clauses of one mark; an unknown clause is an error in the document."""
    not_run = run_by = ""
    needs: list[str] = []
    until_ctrl_c = False
    for clause in (part.strip() for part in text.split(";")):
        if clause.startswith("not run, "):
            not_run = clause.removeprefix("not run, ")
        elif clause.startswith("run by "):
            run_by = clause.removeprefix("run by ")
        elif clause.startswith("needs "):
            needs += [word.strip() for word in clause.removeprefix("needs ").split(",")]
        elif clause == "until Ctrl-C":
            until_ctrl_c = True
        else:
            raise ValueError(f"unknown example mark clause {clause!r}")
    return Mark(not_run, run_by, tuple(needs), until_ctrl_c)


def _mark_before(lines: list[str], index: int, pattern: re.Pattern[str]) -> Mark:
    """The mark on the line before ``lines[index]``, or none."""
    found = pattern.match(lines[index - 1]) if index else None
    return parse_mark(found[1]) if found else Mark()


def markdown_examples(path: Path) -> list[Example]:
    """The ```sh blocks of a Markdown document, in order."""
    lines = path.read_text().splitlines()
    examples = []
    for index, line in enumerate(lines):
        if line == "```sh":
            end = lines.index("```", index + 1)
            examples.append(Example(
                str(path.relative_to(ROOT)), index + 1, "\n".join(lines[index + 1:end]) + "\n",
                _mark_before(lines, index, MARKDOWN_MARK)))
    return examples


def unroff(line: str) -> str:
    """A line of an .EX block as it reads on the page (the escapes it uses undone)."""
    return re.sub("|".join(map(re.escape, ROFF_ESCAPES)), lambda m: ROFF_ESCAPES[m[0]], line)


def man_examples(path: Path) -> list[Example]:
    """The .EX/.EE blocks of a man page's EXAMPLES section, in order."""
    lines = path.read_text().splitlines()
    start = lines.index(".SH EXAMPLES")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(".SH "))
    examples = []
    for index in range(start, end):
        if lines[index] == ".EX":
            stop = lines.index(".EE", index)
            text = "".join(unroff(line) + "\n" for line in lines[index + 1:stop])
            examples.append(Example(str(path.relative_to(ROOT)), index + 1, text,
                                    _mark_before(lines, index, MAN_MARK)))
    return examples


def examples_of(document: str) -> list[Example]:
    """The examples of one document of the checkout, by its path from the root."""
    path = ROOT / document
    return man_examples(path) if path.suffix == ".1" else markdown_examples(path)


__all__ = ["ROOT", "Example", "Mark", "examples_of", "parse_mark", "unroff"]
