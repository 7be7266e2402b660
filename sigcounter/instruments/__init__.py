"""The built-in instruments: they hang off the one loop and see what users run.

``observer.Instrument`` is what every instrument is told by the run (``start``
before the loop, ``finish`` at its end, where it gives its own report), and
``observer.Observer`` an instrument the loop also tells of every wake-up.
``stats`` (``--stats``) and ``tracefile`` (``--trace``) are the two
observers, ``histogram`` their bounded-memory percentiles; ``cpuprofile``
(``--cpuprofile``) profiles the loop without being told of its wake-ups, and
``explain`` (``--explain``) prints the outside tools' commands for a running
process. ``outfile`` opens their files without ever waiting. An instrument
whose file fails records the failure and stops; it never ends the run.
``sigcounter/attach.py`` attaches them as the options ask.
"""
