"""sig-counter: a ticker that answers signals, built on signalfd, timerfd and
one ``epoll_pwait`` loop.

The layers are subpackages, and imports run one way, downwards:

- ``sigcounter.kernel``: the kernel objects, a library on their own
  (``kernel.signalfd.SignalFD``, ``kernel.timerfd.TimerFD``,
  ``kernel.epoll.Epoll``) and the loop's native wait;
- ``sigcounter.instruments``: ``--stats``, ``--trace`` and ``--explain``;
- the program itself, here: ``options``, ``signaltable`` and ``actions``,
  ``loop``, ``runstate``, ``events``, ``output``, ``cli``.

Nothing is imported here, so ``import sigcounter`` works (and ``--help``
runs) even where the native module is missing.
"""

__version__ = "0.2.0"
