"""``--pidfile PATH``: the PID in a file, held with a lock for the whole run.

The lock, not the file's existence, says whether the program is running: an
``flock`` on the file's open description, which the kernel drops when the
process dies however it dies. So a file left by a killed instance is stale
(no one holds its lock) and is taken over, and a second instance finds the
lock held and refuses. ``pkill -F PATH`` signals the PID in the file; with
``-L`` it first checks that the file is locked, so never a stale file's PID.

The file appears whole: the PID is written to a locked file beside it, which
then takes the name with ``link`` (no file there yet; fails if one appeared
meanwhile) or ``rename`` (over a stale file whose lock we then hold, so no
other instance can be replacing it at the same moment). A reader never sees
it empty or half written.

Nothing here waits for another process: the signals are blocked by now, and
a call that waited would leave SIGTERM pending. The file found at the path
is opened ``O_NONBLOCK`` (a FIFO there would otherwise wait for a writer)
and taken only if it is a regular file; the PID of the instance holding it
is read through that same descriptor, not by opening the path again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_FOUND = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class PidFileError(OSError):
    """The pidfile is held by another instance, or cannot be written; one line."""


def _lock(fd: int) -> bool:
    """Take the exclusive lock without waiting; False when another holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _names_file(path: str, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        named, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _holder(fd: int) -> str:
    """Who holds the pidfile open as ``fd``, as its first line says."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace")
    except OSError:
        return "another process"
    return f"pid {text.strip() or '?'}"


class PidFile:
    """The pidfile at ``path`` once ``claim`` returns: holds this PID, locked."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def claim(cls, path: str) -> PidFile:
        """Write this process's PID to ``path`` and hold its lock; PidFileError
        if a live instance holds it (the file is then left as it was)."""
        directory, name = os.path.split(path)
        # The PID plus a random part: another PID namespace may share the directory.
        staging = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}")
        try:
            fd = os.open(staging, _CREATE, 0o644)
            try:
                _lock(fd)  # a new file: no one else can hold it yet
                os.write(fd, f"{os.getpid()}\n".encode())
                while not _install(staging, path):
                    pass  # the file changed under us: look again
            except BaseException:
                os.close(fd)
                raise
            finally:
                _unlink_quietly(staging)
        except PidFileError:
            raise
        except OSError as exc:
            raise PidFileError(f"cannot write the pidfile {path}: {exc.strerror}") from None
        return cls(path, fd)

    def remove(self) -> None:
        """Remove the file (if it is still ours) and let the lock go."""
        if self._fd < 0:
            return
        # Unlinked before the lock is dropped: another instance that opens
        # the old file meanwhile finds it locked, then finds it gone.
        try:
            if _names_file(self.path, self._fd):
                os.unlink(self.path)
        except OSError:
            pass  # gone already, or the directory became read-only: nothing more to do
        finally:
            os.close(self._fd)
            self._fd = -1


def _install(staging: str, path: str) -> bool:
    """Give ``staging`` the name ``path``; False to try again."""
    try:
        os.link(staging, path)
        return True
    except FileExistsError:
        pass
    try:
        old = os.open(path, _FOUND)
    except FileNotFoundError:
        return False  # removed since link() saw it
    try:
        if not stat.S_ISREG(os.fstat(old).st_mode):
            raise PidFileError(f"cannot write the pidfile {path}: not a regular file")
        if not _lock(old):
            raise PidFileError(f"{path} is held by {_holder(old)}: already running")
        if not _names_file(path, old):
            return False  # replaced or removed before we held it
        os.rename(staging, path)
        return True
    finally:
        os.close(old)  # a stale file's lock, now on a file without a name


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
