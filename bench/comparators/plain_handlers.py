"""What most Python would write: signal.signal handlers and a time.sleep loop.

Counts one per loop iteration, like the Go original, so it drifts and counts
a SIGSTOP as one tick. Usage: plain_handlers.py [--interval SECONDS]
"""

import os
import signal
import sys
import time

from interval import interval_from_argv

interval = interval_from_argv()
count = 0


def show(signum, frame):
    os.write(1, f"Ticker count: {count}\n".encode())


def reset(signum, frame):
    global count
    count = 0
    os.write(1, b"Resetting ticker count to zero\n")


def stop(signum, frame):
    name = "terminated" if signum == signal.SIGTERM else "interrupt"
    os.write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
    sys.exit(0)


signal.signal(signal.SIGUSR1, show)
signal.signal(signal.SIGUSR2, reset)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
os.write(2, f"plain_handlers: pid {os.getpid()} ready\n".encode())
while True:
    time.sleep(interval)
    count += 1
