"""What an option declaration is (``Option``), and the parser that reads a
command line against a list of them. The program's own list is
``sigcounter.options.OPTIONS``.

A declaration that cannot work (a value with no way to read it, a name or an
attribute declared twice, an attribute the options' class does not type)
raises ``TypeError`` when the list is indexed, that is, at import.
"""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.seconds import value_shown
from sigcounter.shown import shown

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    # (the option's name as given, its value as given) -> the value, or a UsageError
    Parse = Callable[[str, str], object]


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


def _no_value(name: str, text: str) -> object:
    raise UsageError(f"argument {shown(name)}: takes no value")


def one_of(choices: tuple[str, ...]) -> Parse:
    """The parse of a value that must be one of ``choices``."""
    def parse(name: str, text: str) -> str:
        if text not in choices:
            listed = ", ".join(choices[:-1]) + " or " + choices[-1]
            raise UsageError(f"argument {name}: choose {listed}, not {value_shown(text)}")
        return text

    return parse


class Option:
    """One option. ``names``: its spellings ("-q", "--quiet"); ``value``: its
    value's name in --help ("SECONDS"), empty for a flag; ``parse(name,
    text)`` reads a value; ``choices``: the only values it takes (read
    without a ``parse``); ``default``: the value as a user would type it,
    read for every run that does not give one and shown in --help;
    ``answers``: instead of running, the program answers and exits
    (--help, --version); ``dest``: its attribute (from its last name)."""

    __slots__ = ("names", "value", "parse", "choices", "default", "help", "answers", "dest")

    def __init__(
        self, *names: str, help: str, value: str = "", parse: Parse | None = None,
        choices: tuple[str, ...] = (), default: str | None = None, answers: bool = False,
        dest: str = "",
    ) -> None:
        if choices and parse is None:
            parse = one_of(choices)
        if bool(value) != (parse is not None) or (default is not None and not value):
            raise TypeError(f"option {names[-1]}: a value, and only a value, needs a parse "
                            "(or choices) and may have a default")
        self.names, self.value, self.choices, self.default = names, value, choices, default
        self.parse: Parse = parse or _no_value
        self.help, self.answers = help, answers
        self.dest = dest or names[-1].lstrip("-").replace("-", "_")

    def initial(self) -> object:
        """Its value in a run that does not give it."""
        if self.default is not None:
            return self.parse(self.names[-1], self.default)
        return None if self.value else False

    def __repr__(self) -> str:
        return f"Option({', '.join(map(repr, self.names))})"


def index(options: Sequence[Option], typed: type) -> dict[str, Option]:
    """Each spelling's option, after checking that every name is new and that
    the attributes are exactly those ``typed`` annotates."""
    by_name: dict[str, Option] = {}
    for option in options:
        for name in option.names:
            if name in by_name or not name.startswith("-"):
                raise TypeError(f"option name {name!r} declared twice or without a dash")
            by_name[name] = option
    dests = [option.dest for option in options]
    untyped, unset = set(dests) - set(typed.__annotations__), set(typed.__annotations__) - set(
        dests)
    if len(set(dests)) != len(dests) or untyped or unset:
        raise TypeError(f"{typed.__name__}: attributes set twice, with no type "
                        f"{sorted(untyped)} or typed and never set {sorted(unset)}")
    return by_name


def parse(argv: list[str], by_name: dict[str, Option], into: object) -> None:
    """Set ``into``'s attributes from ``argv``, by the options ``by_name``."""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--":  # the end of the options; sig-counter takes no arguments
            if args:
                raise UsageError(f"unrecognized argument: {shown(args[0])}")
            break
        name, has_value, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = by_name.get(name)
        if option is not None and option.value:
            if not has_value:
                if not args:
                    raise UsageError(f"argument {name}: expected one value")
                value = args.pop(0)
            try:
                parsed = option.parse(name, value)
            except ValueError as exc:  # a parse of the kind int() is: its message, one line
                raise UsageError(f"argument {name}: {exc}") from None
            setattr(into, option.dest, parsed)
        elif option is not None:
            if has_value:
                raise UsageError(f"argument {shown(name)}: takes no value")
            setattr(into, option.dest, True)
        elif _short_flags(arg, by_name):  # short flags together: -qv
            for letter in arg[1:]:
                setattr(into, by_name[f"-{letter}"].dest, True)
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"unrecognized option: {shown(arg)}")
        else:
            raise UsageError(f"unrecognized argument: {shown(arg)}")


def _short_flags(arg: str, by_name: dict[str, Option]) -> bool:
    """Whether ``arg`` is several one-letter flags written together."""
    return arg.startswith("-") and len(arg) > 2 and arg[1] != "-" and all(
        (option := by_name.get(f"-{letter}")) is not None and not option.value
        for letter in arg[1:])
