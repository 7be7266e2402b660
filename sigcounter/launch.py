"""What both launchers (``bin/sig-counter``, ``python -m sigcounter``) do once
they have blocked every signal: keep blocked exactly the signal table's, then
run the program; running out of memory while starting is one line.

Short of memory (a tight ``ulimit -v``), an import fails with MemoryError,
with OSError ENOMEM from the import system, or, deep in the interpreter, with
a SystemError that lost its cause: one line, not a traceback. The line is a
constant, written with no import and no formatting.
"""

import errno
import os

from sigcounter.signaltable import block_handled


def launch(before: set[int]) -> int:
    """The program's exit status; ``before`` is the mask the launcher found."""
    try:
        # Inside the guard: keeping the table's signals blocked allocates too,
        # and a limit can run out right there.
        block_handled(before)
        from sigcounter.cli import main

        return main()
    except (MemoryError, OSError, SystemError) as exc:
        if isinstance(exc, OSError) and exc.errno != errno.ENOMEM:
            raise
        try:  # noqa: SIM105 - contextlib would be one import more, short of memory
            os.write(2, b"sig-counter: error: out of memory\n")
        except OSError:
            pass
        return 1
