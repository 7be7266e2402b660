"""The kernel objects sig-counter is built from, usable as a library on their own.

One module per object, each the fd it wraps (``fileno()``, ``close()``,
``with``): ``signalfd.SignalFD``, ``timerfd.TimerFD``, ``epoll.Epoll``, plus
``sigset.Sigset``, the signal numbers in ``signals`` and the loop's one
native wait in ``loopwait``. Nothing here imports from the rest of the
package, and only this subpackage touches cffi. Kernel failures raise
``OSError`` with the real errno.
"""
