"""Tick sources: where the loop's ticks come from.

Both count exactly: a loop that was stopped or starved gets every tick it
missed on its next wake-up. They differ in what a tick costs.

- ``TimerfdTicks`` (the default): a periodic timerfd in the epoll set. Each
  tick is a wake-up plus a ``read`` of the 8-byte expiration count, which
  also re-arms it: 2 syscalls.
- ``TimeoutTicks``: no timer object at all. The wait's timeout is the time
  left to the next scheduled tick, and ticks are counted from
  CLOCK_MONOTONIC (read through the vDSO, no syscall): 1 syscall per tick.
  epoll_pwait's timeout is in milliseconds, rounded up, so a tick is seen up
  to 1 ms late, never early; at periods under 1 ms one wake-up counts several.
"""

from __future__ import annotations

import time

from sigcounter.timerfd import TimerFD

NS_PER_S = 1_000_000_000


class TimerfdTicks:
    name = "timerfd"

    def __init__(self, interval_ns: int) -> None:
        self.interval_ns = interval_ns
        self.timer = TimerFD(nonblocking=True)
        self.fd: int | None = self.timer.fileno()
        self.start_ns = 0  # CLOCK_MONOTONIC the schedule counts from

    def arm(self) -> None:
        # Read just before arming: the kernel's own start is a little later,
        # so lateness measured from here errs by the settime call, never below 0.
        self.start_ns = time.monotonic_ns()
        self.timer.settime(self.interval_ns, self.interval_ns)

    def timeout(self) -> float | None:
        """How long the wait may block: forever, the timerfd will wake it."""
        return None

    def take(self, fd_ready: bool) -> int:
        """Expirations since the last call (the timerfd's count, if it is ready)."""
        return self.timer.read() if fd_ready else 0

    def close(self) -> None:
        self.timer.close()


class TimeoutTicks:
    name = "timeout"

    def __init__(self, interval_ns: int) -> None:
        self.interval_ns = interval_ns
        self.fd: int | None = None
        self.start_ns = 0
        self.taken = 0  # ticks since the start already handed out

    def arm(self) -> None:
        self.start_ns = time.monotonic_ns()
        self.taken = 0

    def timeout(self) -> float | None:
        """Seconds until the next scheduled tick (0 if it is already due)."""
        due_ns = self.start_ns + (self.taken + 1) * self.interval_ns
        return max(0, due_ns - time.monotonic_ns()) / NS_PER_S

    def take(self, fd_ready: bool) -> int:
        """Ticks whose scheduled time has passed since the last call."""
        elapsed = (time.monotonic_ns() - self.start_ns) // self.interval_ns
        new, self.taken = elapsed - self.taken, elapsed
        return new

    def close(self) -> None:
        pass


TickSource = TimerfdTicks | TimeoutTicks
TICK_SOURCES: dict[str, type[TickSource]] = {"timerfd": TimerfdTicks, "timeout": TimeoutTicks}
