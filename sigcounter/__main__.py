"""``python -m sigcounter``: the same program as ``sig-counter``."""

import _signal

# As bin/sig-counter does first: a handled signal sent early waits for the
# signalfd instead of killing the process (runpy has imported a few modules
# by now; the window before this line is the interpreter's start-up).
_signal.pthread_sigmask(_signal.SIG_BLOCK, (
    _signal.SIGUSR1, _signal.SIGUSR2, _signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP,
))

from sigcounter.cli import main  # noqa: E402

raise SystemExit(main())
