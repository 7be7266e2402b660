"""The built-in instruments: they hang off the one loop and see what users run.

``observer.Observer`` is what the loop tells them; ``stats`` (``--stats``)
and ``tracefile`` (``--trace``) are the two observers, ``histogram`` their
bounded-memory percentiles, ``cpuprofile`` (``--cpuprofile``) profiles the
loop, and ``explain`` (``--explain``) prints the outside tools' commands for
a running process. ``outfile`` opens their files without ever waiting. An
instrument whose file fails records the failure and stops; it never ends
the run.
"""
