"""The path options (``--trace``, ``--cpuprofile``, ``--pidfile``) checked, and
the instruments' files opened, before the run; each refusal is a usage error,
one line and status 2, said before anything is written:

- a path whose directory does not exist (or is not a directory), the same
  rule for every path option: the pidfile, written only once the program is
  ready, is checked now like the files opened now;
- a ``--pidfile`` that is not a regular file (sigcounter/pidfile.py never
  opens one in a way that waits either);
- two of the three naming the same regular file, by the same path or
  through a link: one output would destroy the other;
- a ``--trace`` or ``--cpuprofile`` naming a file another process holds a
  lock on, as a running instance holds its pidfile: overwriting it would
  lose that instance's PID (``pkill -F`` would fail): ``locks.lock_holder``.

A file that this start created is removed again when the run is refused, at
once or later (the pidfile held, EMFILE: ``Outputs.discard_unused``), so a
refused run leaves every file as it was.
"""

from __future__ import annotations

import errno
import os
import stat

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.options import UsageError
from sigcounter.shown import shown

if TYPE_CHECKING:
    from typing import IO

    from sigcounter.options import Options

def _check_directory(option: str, path: str) -> None:
    """The rule for a missing directory, one for every path option."""
    parent = os.path.dirname(path) or "."
    try:
        is_directory = stat.S_ISDIR(os.stat(parent).st_mode)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise UsageError(f"{option} {shown(path)}: {exc.strerror}") from None
    except OSError:
        return  # not searchable, say: the open or the claim says why, in its own words
    if not is_directory:
        raise UsageError(f"{option} {shown(path)}: {os.strerror(errno.ENOTDIR)}")


def _check_pidfile(path: str) -> None:
    """A --pidfile that names something other than a regular file (a FIFO, a
    device, a directory) is a usage error now."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # absent, as it usually is; any other problem the claim reports
    if not stat.S_ISREG(mode):
        from sigcounter.instruments.outfile import kind

        raise UsageError(f"--pidfile {shown(path)}: {kind(mode)}, not a regular file")


class _Opened:
    """One instrument's file, open for writing, as the open found it."""

    __slots__ = ("created", "fd", "option", "path", "status")

    def __init__(self, option: str, path: str, fd: int, created: bool) -> None:
        self.option, self.path, self.fd, self.created = option, path, fd, created
        self.status = os.fstat(fd)

    def named(self) -> str:
        return f"{self.option} {shown(self.path)}"

    def remove_if_created(self) -> None:
        """Remove the file if this start created it and the path still names it."""
        if not self.created:
            return
        try:
            now = os.lstat(self.path)
            if (now.st_dev, now.st_ino) == (self.status.st_dev, self.status.st_ino):
                os.unlink(self.path)
        except OSError:
            pass  # gone or replaced meanwhile: not ours to remove any more


def _open(option: str, path: str) -> _Opened:
    from sigcounter.instruments.outfile import NotAFile, open_output

    try:
        fd, created = open_output(path)
    except NotAFile as exc:
        raise UsageError(f"{option} {shown(path)}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{option} {shown(path)}: {exc.strerror or exc}") from None
    return _Opened(option, path, fd, created)


def _check_apart(opened: list[_Opened], pidfile: str | None) -> None:
    """No two outputs on one regular file; none on another process's locked file."""
    files = [(each.named(), each.status) for each in opened if stat.S_ISREG(each.status.st_mode)]
    if pidfile:
        try:  # noqa: SIM105 - by hand: contextlib brings collections into the start-up
            files.append((f"--pidfile {shown(pidfile)}", os.stat(pidfile)))
        except OSError:
            pass  # not there yet: it cannot be one of the files just opened
    for index, (name, status) in enumerate(files):
        for other, other_status in files[index + 1:]:
            if (status.st_dev, status.st_ino) == (other_status.st_dev, other_status.st_ino):
                raise UsageError(f"{name} and {other} name the same file")
    if not opened:
        return
    from sigcounter.locks import lock_holder

    for each in opened:
        if stat.S_ISREG(each.status.st_mode) and (holder := lock_holder(each.status)) is not None:
            who = f"pid {holder}" if holder else "another process"
            raise UsageError(f"{each.named()}: {who} holds a lock on it, as a running "
                             "instance holds its --pidfile; left as it is")


class Outputs:
    """The instruments' files, open for the run (None where not asked for)."""

    def __init__(self, opened: list[_Opened]) -> None:
        by_option = {each.option: each for each in opened}
        self._opened = by_option
        trace, profile = by_option.get("--trace"), by_option.get("--cpuprofile")
        self.trace: IO[str] | None = (
            None if trace is None else open(trace.fd, "w", encoding="utf-8"))  # noqa: SIM115
        self.profile: IO[bytes] | None = (
            None if profile is None else open(profile.fd, "wb"))  # noqa: SIM115

    def abandon(self) -> None:
        """Close both files and remove those this start created: the run will
        not happen (a module could not be loaded)."""
        for stream in (self.trace, self.profile):
            if stream is not None:
                stream.close()
        for each in self._opened.values():
            each.remove_if_created()

    def discard_unused(self, option: str) -> None:
        """``option``'s file, created by this start and never written (the run
        was refused), removed: a refused run leaves the files as they were."""
        if (each := self._opened.get(option)) is not None:
            each.remove_if_created()


def open_outputs(options: Options) -> Outputs:
    """Check every path option and open --trace and --cpuprofile, so that a bad
    path fails before the run; a UsageError leaves nothing behind."""
    named = [(option, path) for option, path in (
        ("--trace", options.trace), ("--cpuprofile", options.cpuprofile),
        ("--pidfile", options.pidfile)) if path]
    for option, path in named:
        _check_directory(option, path)
    if options.pidfile:
        _check_pidfile(options.pidfile)
    opened: list[_Opened] = []
    try:
        for option, path in named:
            if option != "--pidfile":
                opened.append(_open(option, path))
        _check_apart(opened, options.pidfile)
    except UsageError:
        for each in opened:
            os.close(each.fd)
            each.remove_if_created()
        raise
    return Outputs(opened)
