"""``python -m sigcounter``: the same program as ``sig-counter``."""

from sigcounter.cli import main

raise SystemExit(main())
