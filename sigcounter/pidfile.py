"""``--pidfile PATH``: the PID in a file, held with a lock for the whole run.

The lock, not the file's existence, says whether the program is running: an
``flock`` that the kernel drops when the process dies however it dies. So a
file left by a killed instance is stale (unlocked) and is taken over, and a
second instance finds the lock held and refuses. ``pkill -L -F PATH`` checks
the lock before it signals, so never a stale file's PID.

Where the directory lets it, the file appears whole: the PID goes to a new,
locked file beside it, which then takes the name with ``link`` (no file
there yet) or ``rename`` (over a stale file whose lock we then hold, so no
other instance is replacing it at the same moment). Where the directory
refuses new files (an init script made the file for an unprivileged service
in a root-owned directory), the file there is written in place, as
``echo $$ >FILE`` would: opened, locked, emptied, written, kept locked. At
exit the file is removed; where the directory forbids that, it is emptied
under the lock still held, so it never names a PID the kernel may reuse.

Nothing here waits for another process: the signals are blocked by now, and
a call that waited would leave SIGTERM pending. The file found at the path
is opened ``O_NONBLOCK`` (a FIFO would otherwise wait for a writer) and
taken only if it is a regular file; a holder's PID is read through that
same descriptor, not by opening the path again.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import stat

from sigcounter.shown import shown

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_FOUND = os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


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


def _take(path: str, fd: int) -> bool:
    """Lock the file found at ``path``, open as ``fd``; PidFileError if it is
    not a regular file or a live instance holds it; False if ``path`` was
    replaced or removed before the lock was ours (look again)."""
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise PidFileError(f"cannot write the pidfile {shown(path)}: not a regular file")
    if not _lock(fd):
        raise PidFileError(f"{shown(path)} is held by {_holder(fd)}: already running")
    return _names_file(path, fd)


def _this_pid() -> bytes:
    return f"{os.getpid()}\n".encode()


class PidFile:
    """The pidfile at ``path`` once ``claim`` returns: holds this PID, locked."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def claim(cls, path: str) -> PidFile:
        """Write this process's PID to ``path`` and hold its lock; PidFileError
        if a live instance holds it (the file is then left as it was)."""
        try:
            try:
                return cls(path, _claim_beside(path))
            except PermissionError as refused:  # no new file may go in that directory
                fd = _claim_in_place(path)
                if fd is None:
                    raise refused from None
                return cls(path, fd)
        except PidFileError:
            raise
        except OSError as exc:
            raise PidFileError(f"cannot write the pidfile {shown(path)}: {exc.strerror}") from None

    def remove(self) -> None:
        """Remove the file (if it is still ours), or empty it where the
        directory keeps it; then let the lock go."""
        if self._fd < 0:
            return
        # Unlinked or emptied before the lock is dropped: another instance that
        # opens the old file meanwhile finds it locked, then finds it gone or empty.
        try:
            if _names_file(self.path, self._fd):
                try:
                    os.unlink(self.path)
                except PermissionError:
                    os.ftruncate(self._fd, 0)
        except OSError:
            pass  # gone already, or the file system became read-only: nothing more to do
        finally:
            os.close(self._fd)
            self._fd = -1


def _claim_beside(path: str) -> int:
    """Write the PID to a new file beside ``path`` and give it that name; the
    new file's descriptor, locked. PermissionError if the directory refuses."""
    directory, name = os.path.split(path)
    # The PID plus a random part: another PID namespace may share the directory.
    staging = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(staging, _CREATE, 0o644)
    try:
        _lock(fd)  # a new file: no one else can hold it yet
        os.write(fd, _this_pid())
        while not _install(staging, path):
            pass  # the file changed under us: look again
    except BaseException:
        os.close(fd)
        raise
    finally:
        _unlink_quietly(staging)
    return fd


def _install(staging: str, path: str) -> bool:
    """Give ``staging`` the name ``path``; False to try again."""
    try:
        os.link(staging, path)
        return True
    except FileExistsError:
        pass
    try:
        old = os.open(path, os.O_RDONLY | _FOUND)
    except FileNotFoundError:
        return False  # removed since link() saw it
    try:
        if not _take(path, old):
            return False  # replaced or removed before we held it
        os.rename(staging, path)
        return True
    finally:
        os.close(old)  # a stale file's lock, now on a file without a name


def _claim_in_place(path: str) -> int | None:
    """Write the PID into the file already at ``path``; its descriptor, locked,
    or None when there is no file there."""
    while True:
        try:
            fd = _open_to_write(path)
        except FileNotFoundError:
            return None
        try:
            if _take(path, fd):
                # Emptied only now, under our lock: a live holder's PID stays whole.
                os.ftruncate(fd, 0)
                os.write(fd, _this_pid())
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # replaced meanwhile: look again


def _open_to_write(path: str) -> int:
    """Open the file at ``path`` for writing, and for reading when allowed (to
    name a holder); anything but a regular file is refused before it is opened
    (opening a device for writing can have effects of its own)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise PidFileError(f"cannot write the pidfile {shown(path)}: not a regular file")
    try:
        return os.open(path, os.O_RDWR | _FOUND)
    except PermissionError:
        return os.open(path, os.O_WRONLY | _FOUND)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
