"""``sig-counter``: command line in, exit status out.

Parses the options, opens what they name, sets the process's identity and
the instruments, then hands over to ``serve``. Start-up imports only what
the plain run needs (the instruments, json and cProfile load when their
options ask for them), and a missing native module or python-prctl becomes a
one-line error, not a traceback.
"""

from __future__ import annotations

import os
import sys

from sigcounter import __version__
from sigcounter.attach import Instruments
from sigcounter.kernel.lean import TYPE_CHECKING, prctl_module
from sigcounter.options import PROG, UsageError, parse_args
from sigcounter.signaltable import handled_signals
from sigcounter.stdfds import ClosedStdout, say, secure_standard_fds, write_all

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any



def _set_identity() -> None:
    """comm = sig-counter (for perf trace, pgrep, killall, ps -C, top), the
    command line ``sig-counter ARGS`` (for pidof and ps -f, which read it, not
    comm), and no_new_privs."""
    try:
        prctl: Any = prctl_module()
    except ModuleNotFoundError as exc:
        raise ImportError(
            f"python-prctl is missing ({exc}): install it with `pip install python-prctl` "
            "(it builds against libcap-dev), or run ./dev.sh run"
        ) from exc
    except ImportError as exc:  # there, but its library would not load (short of memory, say)
        raise ImportError(f"python-prctl cannot be loaded: {exc}") from exc
    prctl.prctl(prctl.PR_SET_NAME, PROG)
    prctl.prctl(prctl.PR_SET_NO_NEW_PRIVS, 1)
    from sigcounter.kernel.cmdline import set_cmdline

    # Not the interpreter and the script's path, nor `-m sigcounter`: the
    # name first, as for a command of its own, then the arguments as given.
    set_cmdline([PROG.encode(), *map(os.fsencode, sys.argv[1:])])


def _version() -> str:
    """The version, and whether this build carries the USDT probes."""
    try:
        from sigcounter.kernel.probes import build_note
    except ImportError:
        return f"{PROG} {__version__} (native module not built)"
    return f"{PROG} {__version__} ({build_note()})"


def _answer(text: str) -> int:
    """--help and --version: the text on stdout, status 0; when stdout does not
    take it, one line on stderr and status 2, as `ls --help >/dev/full` does.
    The handled signals are unblocked first: nothing runs after this write,
    and a stdout that makes it wait (a paused terminal) must not leave
    Ctrl-C and SIGTERM pending."""
    import _signal

    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, handled_signals())
    reason = write_all(1, text + "\n")
    if reason is None:
        return 0
    say(f"{PROG}: cannot write to stdout: {reason}")
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return its exit status."""
    try:
        options = parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        say(f"{PROG}: error: {exc} (see --help)")
        return 2
    if options.help or options.version:  # opens nothing: no need of the fd checks
        if options.help:
            from sigcounter.helptext import full_help

            return _answer(full_help())
        return _answer(_version())
    try:
        # Before anything is opened, so that nothing of ours lands on fd 0-2.
        secure_standard_fds()
    except ClosedStdout as exc:
        say(f"{PROG}: error: {exc}")
        return 1
    from sigcounter.outputs import open_outputs

    try:
        outputs = open_outputs(options)
    except UsageError as exc:
        say(f"{PROG}: error: {exc} (see --help)")
        return 2
    try:
        # The native module first: on another system, "needs Linux" is the
        # one thing worth saying; the loop's wait then checks that the
        # module's structs are the ones it reads.
        from sigcounter.kernel import loopwait  # noqa: F401
        _set_identity()
        instruments = Instruments(options, outputs)
    except ImportError as exc:
        outputs.abandon()
        say(f"{PROG}: error: {exc}")
        return 1
    from sigcounter.serve import serve

    status = 1
    try:
        status = serve(options, instruments)
    finally:  # each instrument's report, even from a run that ends in an exception
        status = instruments.finish(status)
    return status
