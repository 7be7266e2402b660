"""sig-counter: a ticker that answers signals, built on signalfd, timerfd and
one ``epoll_pwait`` loop.

The kernel-object wrappers are importable on their own::

    from sigcounter.signalfd import SignalFD
    from sigcounter.timerfd import TimerFD
    from sigcounter.epoll import Epoll

They are not imported here, so ``import sigcounter`` works (and ``--help``
runs) even where the native module is missing.
"""

__version__ = "0.1.0"
