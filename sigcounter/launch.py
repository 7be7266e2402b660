"""What both launchers (``bin/sig-counter``, ``python -m sigcounter``) do once
they have blocked every signal: keep blocked exactly the signal table's, then
run the program; running out of memory is one line.

Short of memory (a tight ``ulimit -v``), an import fails with MemoryError,
with OSError ENOMEM from the import system, or, deep in the interpreter, with
a SystemError that lost its cause. The first two say what they are. A
SystemError says nothing of memory, so it is called out of memory only when
memory is in fact short: when a few more megabytes cannot be had either.
Any other SystemError is a fault, and keeps its traceback. The line is a
constant, written with no import and no formatting.
"""

import errno
import os

from sigcounter.signaltable import block_handled

# Asked for, not used, when a SystemError comes: far more than the margin a
# tight limit leaves (the run's whole heap is a few MB), far less than any
# machine with room to spare lacks.
PROBE_BYTES = 8 << 20


def memory_short() -> bool:
    """Can't ``PROBE_BYTES`` more be had? (Zero-filled on demand by the
    kernel: asking touches no page.)"""
    try:
        bytes(PROBE_BYTES)
    except MemoryError:
        return True
    return False


def _out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOMEM
    return isinstance(exc, MemoryError) or memory_short()


def launch(before: set[int]) -> int:
    """The program's exit status; ``before`` is the mask the launcher found."""
    try:
        # Inside the guard: keeping the table's signals blocked allocates too,
        # and a limit can run out right there.
        block_handled(before)
        from sigcounter.cli import main

        return main()
    except (MemoryError, OSError, SystemError) as exc:
        if not _out_of_memory(exc):
            raise
        try:  # noqa: SIM105 - contextlib would be one import more, short of memory
            os.write(2, b"sig-counter: error: out of memory\n")
        except OSError:
            pass
        return 1
