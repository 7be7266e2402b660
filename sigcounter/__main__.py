"""``python -m sigcounter``: the same program as ``sig-counter``."""

import _signal

# As bin/sig-counter does first: every signal blocked before any other import
# (runpy has imported a few modules by now; the window before this line is
# the interpreter's start-up), then launch() keeps the signal table's.
_before = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())

from sigcounter.launch import launch  # noqa: E402

raise SystemExit(launch(_before))
