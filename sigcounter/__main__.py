"""``python -m sigcounter``: the same program as ``sig-counter``."""

import _signal

# As bin/sig-counter does first: every signal blocked for the import of the
# signal table, then exactly its signals, so that a handled signal sent early
# waits for the signalfd instead of killing the process (runpy has imported
# a few modules by now; the window before this line is the interpreter's
# start-up).
_before = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())
from sigcounter.signaltable import block_handled  # noqa: E402

block_handled(_before)

import errno  # noqa: E402
import os  # noqa: E402

# As bin/sig-counter does: short of memory, one line instead of a traceback.
try:
    from sigcounter.cli import main

    status = main()
except (MemoryError, OSError, SystemError) as exc:
    if isinstance(exc, OSError) and exc.errno != errno.ENOMEM:
        raise
    try:  # noqa: SIM105 - with stderr gone there is nowhere to say it
        os.write(2, b"sig-counter: error: out of memory\n")
    except OSError:
        pass
    status = 1
raise SystemExit(status)
