"""The one deadline every wait in the suite derives from.

``DEADLINE`` is how long any single expected event (a ready line, an answer, an
exit) may take on a loaded VM; longer waits are multiples of it, and so is each
test's backstop timeout. ``SIGCOUNTER_TEST_DEADLINE_SCALE`` stretches them all
at once on a machine busier than usual: .ci/run sets 2, since it runs three
suites on two cores. A deadline only bounds a failure's wait: a passing test
takes no longer for it.
"""

from __future__ import annotations

import os

SCALE = float(os.environ.get("SIGCOUNTER_TEST_DEADLINE_SCALE") or 1)
DEADLINE = 10.0 * SCALE
# A whole test: pytest-timeout ends one that runs past it (tests/conftest.py).
BACKSTOP = 6 * DEADLINE
# A build with pip: fetching and compiling on a loaded VM.
BUILD_DEADLINE = 30 * DEADLINE
