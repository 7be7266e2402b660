"""The start-up and memory tricks the program relies on, in one place.

sig-counter spends its life asleep, so what it imports is most of what it
costs: each module below would be loaded only for one small thing. A test
(tests/system/test_lean.py) checks that the plain command still loads none of
``typing``, ``re``, ``enum``, ``signal`` or ``collections``, and that each
trick still avoids what it says.
"""

# typing.TYPE_CHECKING without importing typing, which brings functools and
# collections with it (and re, before Python 3.13). Type checkers treat any
# name TYPE_CHECKING as true.
TYPE_CHECKING = False

# The C itemgetter that `operator` re-exports: `operator` itself is a module
# of Python fallbacks that costs most of a millisecond to import.
from _operator import itemgetter  # noqa: E402

# Builds a tuple subclass without running its __new__: the records made on
# the signal path skip Record's argument-count check, their fields all given.
new_tuple = tuple.__new__



def prctl_module() -> object:
    """python-prctl's C module, ``_prctl``: its Python facade, ``prctl``, builds
    capability tables at import, about 2 ms of start-up for the two calls the
    program makes. ImportError when python-prctl is not installed."""
    import _prctl

    return _prctl


__all__ = ["TYPE_CHECKING", "itemgetter", "new_tuple", "prctl_module"]
