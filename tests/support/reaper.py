"""Run a command as the session leader of a terminal, and report every exit in its tree.

Usage: python reaper.py FD COMMAND [ARG...], with FD the terminal's own side (a pty's
slave), open in this process. The command runs in a session of its own with FD as its
controlling terminal and its fds 0-2, as a terminal emulator starts a shell. This
process stays outside that session, as the emulator does, so the terminal's hang-up
never reaches it. It is a child subreaper: whatever the session leaves behind when
its leader exits (a disowned job, a setsid run) is re-parented here, so its exit
status is still seen. On stdout: ``leader PID`` first, then ``exit PID STATUS`` for
each process reaped (STATUS as os.waitstatus_to_exitcode gives it: -N for signal N).
It exits once nothing is left to wait for.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
import termios

PR_SET_CHILD_SUBREAPER = 36


def _become_the_session(fd: int, command: list[str]) -> None:
    """In the child: a new session whose controlling terminal is ``fd``, then exec."""
    os.setsid()
    fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
    for std in (0, 1, 2):
        os.dup2(fd, std)
    os.close(fd)
    # Python ignores these two at start-up; an ignored signal stays ignored
    # across exec, and a shell started from a terminal has them at default.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    os.execvp(command[0], command)


def main() -> int:
    fd, command = int(sys.argv[1]), sys.argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    leader = os.fork()
    if leader == 0:  # pragma: no cover - the child
        try:
            _become_the_session(fd, command)
        finally:
            os._exit(127)
    os.close(fd)
    print(f"leader {leader}", flush=True)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        print(f"exit {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
