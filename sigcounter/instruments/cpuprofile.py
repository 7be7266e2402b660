"""``--cpuprofile``: cProfile over the loop, written at shutdown in the format
``python -m pstats FILE`` reads (what ``Profile.dump_stats`` writes).

The file is opened before the run, so a bad path stops the start; it is
written once, when the run is over (``finish``). Writing it never raises: a failure (a
full disk, an I/O error) is the profile's ``error``, told once to
``on_error``, so that the rest of the shutdown (the pidfile, the ``--stats``
table, the exit status) happens as it would have.
"""

from __future__ import annotations

from sigcounter.instruments.observer import Instrument
from sigcounter.instruments.outfile import OutputFile, WritesFile
from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from cProfile import Profile
    from typing import IO


class CpuProfile(Instrument, WritesFile):
    """The profile of one run, written to ``stream`` (binary, opened for writing).

    Not an observer: the loop runs as it would without it (a tick does not
    come back to Python for it), so the profile is that of the plain loop."""

    def __init__(
        self, stream: IO[bytes], on_error: Callable[[OSError], None] | None = None,
        on_unused: Callable[[], None] | None = None,
    ) -> None:
        self._file = OutputFile(stream, on_error, on_unused)
        self._profiler: Profile | None = None

    def start(self) -> None:
        """Profile from here on (the run's set-up is not what is measured)."""
        import cProfile

        self._profiler = cProfile.Profile()
        self._profiler.enable()

    def finish(self) -> bool:
        """Stop profiling and write the file (if ``start`` ran), then close it."""
        try:
            if self._profiler is not None:
                self._profiler.disable()
                import marshal

                self._profiler.create_stats()
                self._file.truncate()
                marshal.dump(self._profiler.stats, self._file.stream)
        except OSError as exc:
            self._file.fail(exc)
        return self._file.close()
