"""--help's text: the usage and the list of options made from the option
declarations (``options.OPTIONS``), the signals from the signal table.
Imported only when --help asks for it."""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.options import OPTIONS, PROG
from sigcounter.signaltable import help_text, summary

if TYPE_CHECKING:
    from sigcounter.optionparser import Option

WIDTH = 79
_COLUMN = 24  # where an option's phrase starts in the list


def wrapped(text: str, width: int = WIDTH) -> list[str]:
    """``text`` in lines of at most ``width`` (textwrap would bring ``re``)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def usage_item(option: Option) -> str:
    """An option as the usage shows it: "--interval SECONDS", "-q"."""
    value = "{" + ",".join(option.choices) + "}" if option.choices else option.value
    return f"{option.names[0]} {value}" if value else option.names[0]


def usage() -> str:
    """``usage: sig-counter [...] ...``, every option in brackets, wrapped."""
    prefix = f"usage: {PROG} "
    items = [f"[{usage_item(option)}]".replace(" ", "\0") for option in OPTIONS]  # \0: unsplit
    lines = [line.replace("\0", " ") for line in wrapped(" ".join(items), WIDTH - len(prefix))]
    return prefix + ("\n" + " " * len(prefix)).join(lines)


def entry(option: Option) -> str:
    """An option's lines in the list: its names and value's name, then its phrase."""
    tag = "  " + ", ".join(option.names) + (f" {option.value}" if option.value else "")
    default = f" (default:\0{option.default})" if option.default else ""  # \0: kept together
    lines = [line.replace("\0", " ") for line in wrapped(option.help + default,
                                                        WIDTH - _COLUMN)]
    if len(tag) < _COLUMN - 1:  # room for the phrase to begin on the tag's line
        first, lines = tag.ljust(_COLUMN) + lines[0], lines[1:]
    else:
        first = tag
    return "\n".join([first, *(" " * _COLUMN + line for line in lines)])


def full_help() -> str:
    """All of --help, without its last newline."""
    description = "\n".join(wrapped(f"Count timer ticks; {summary()}."))
    options = "\n".join(entry(option) for option in OPTIONS)
    return f"""\
{usage()}

{description}

options:
{options}

{help_text()}
example (the sleep lets it get past the interpreter's own start-up, the first
few ms, before which a signal acts as on any Python program):
  {PROG} & sleep 1; kill -USR1 $!; kill -TERM $!"""
