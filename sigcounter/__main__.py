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

from sigcounter.cli import main  # noqa: E402

raise SystemExit(main())
