"""The start-up and memory tricks the program relies on, listed in one place.

sig-counter spends its life asleep, so what it imports is most of what it
costs. A test (tests/system/test_lean.py) checks that the plain command
loads none of ``typing``, ``re``, ``enum``, ``signal`` or ``collections``
beyond what a bare interpreter loads, and that each trick below still
avoids what it says. The helpers shared by several modules live here; the
others must sit where they are used, each marked there:

- ``bin/sig-counter`` is a plain script, not a pip entry point (whose
  wrapper imports ``re``), and it and ``__main__.py`` block the signals with
  the built-in ``_signal`` before any other import;
- ``options.py`` parses the command line by hand (argparse brings ``re``);
- ``kernel/signals.py`` takes the signal numbers from the C headers (the
  ``signal`` module's enums);
- ``stdfds.say`` and the launchers catch OSError by hand (``contextlib``
  brings ``collections``);
- ``notify.py`` speaks to NOTIFY_SOCKET through ``_socket`` (``socket``
  brings ``enum``) and packs its send timeout's ``struct timeval`` by hand
  (``struct`` is one import more), and ``kernel/sink.py`` imports ``_socket``
  too, only when stdout is a socket;
- ``linequeue.py`` takes ``deque`` from the built-in ``_collections``
  (``collections`` is a package of Python that costs its import);
- ``serve.py`` freezes what start-up allocated (``gc.freeze()``), so the
  collector does not walk it again on every full collection.

And on the signal path, where each piece shows in a SIGUSR1's answer
(instructions counted by callgrind, bench/latency_pieces.py; the time in
docs/performance.md, "Where the time goes"):

- ``kernel/loopwait.py`` reads the tick count, the record count and the
  records through one memoryview over ``struct loop_wait``, made once: a
  cdata field costs 450-690 instructions to read or write, an index into the
  view 280-340, and ``tolist()`` of a record 1,480 against 3,130 for
  ``ffi.unpack``. ``LoopWait.wait()`` went from 9,130 to 6,280 instructions
  over its C call;
- ``kernel/probes.py``'s ``emit_semaphore`` reads the emit probe's semaphore
  in place: a cffi call to ask C (which releases and retakes the GIL) was
  about 1,020 instructions per line, the read is 274;
- ``loop.py`` writes a line that shows at most the count itself, through the
  writer's ``line_writer``, from the row's bytes template
  (``output.line_templates``: ``template % count``, about 1,070 instructions
  against 1,670 for the f-string and ``encode()``), and builds no Event for
  it: the Event, and the formatter's call, are left to --json, -v, a
  notifier and the run's last line. A SIGUSR1 went from 17,297 to 12,837
  instructions (``bench/latency_split.py --functions sig-counter``);
- ``writer.py``'s ``line_writer`` counts its writes for --stats only when
  the writer was asked to (``count_calls``): the dictionary increment was
  520 instructions a line (12,837 to 12,317);
- ``loop.py`` takes each signal's number where the native wait put it
  (``LoopWait.wait_in_place()``, ``words[start]``) and builds its SigInfo
  (``record_at``) only for an answer that reads more of it: an effect (a
  reset's time), an Event, an observer. The 17 words into a tuple were about
  3,100 instructions a signal that a plain SIGUSR1 never read (12,408 to
  9,281).
"""

# typing.TYPE_CHECKING without importing typing, which brings functools and
# collections with it (and re, before Python 3.13). Type checkers treat any
# name TYPE_CHECKING as true.
TYPE_CHECKING = False

# A record's fields are read through the C descriptor that
# collections.namedtuple uses, from the built-in `_collections` module: no
# Python frame, about a tenth of the instructions of a property over
# `_operator.itemgetter` (the C itemgetter `operator` re-exports; `operator`
# itself is a module of Python fallbacks that costs most of a millisecond to
# import), which stands in where `_tuplegetter` is missing.
try:
    from _collections import _tuplegetter as field_getter  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - CPython has had it since 3.8
    from _operator import itemgetter

    def field_getter(index: int, doc: str) -> property:
        return property(itemgetter(index), doc=doc)

# Builds a Record from all its fields at once, as the tuple it is, without
# Record.__new__'s Python-level argument check: used only where the fields
# come complete from C (the signal path's SigInfo and Event). Measured with
# bench/latency_floor.py: the check's frames, cold after each sleep, cost a
# visible share of a SIGUSR1's answer (docs/performance.md).
build_record = tuple.__new__


def prctl_module() -> object:
    """python-prctl's C module, ``_prctl``: its Python facade, ``prctl``, builds
    capability tables at import, about 2 ms of start-up for the two calls the
    program makes. ImportError when python-prctl is not installed."""
    import _prctl

    return _prctl


__all__ = ["TYPE_CHECKING", "build_record", "field_getter", "prctl_module"]
