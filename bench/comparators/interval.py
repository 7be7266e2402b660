"""The comparators' one option, spelled as sig-counter spells it:
``--interval SECONDS`` (default 1). The scripts run as ``python SCRIPT``, so
this folder is on sys.path and they import it by its bare name."""

import sys


def interval_from_argv(default: float = 1.0) -> float:
    """The seconds ``--interval`` gives, or ``default`` with no arguments."""
    args = sys.argv[1:]
    if not args:
        return default
    if len(args) != 2 or args[0] != "--interval":
        sys.exit(f"usage: {sys.argv[0]} [--interval SECONDS]")
    return float(args[1])
