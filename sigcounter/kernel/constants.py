"""The constants more than one layer needs, defined once."""

NS_PER_S = 1_000_000_000

# Where ticks come from (see loopwait.py): a periodic timerfd, 2 system calls
# per tick; or epoll_pwait's timeout and CLOCK_MONOTONIC, 1 per tick.
TIMERFD, TIMEOUT = "timerfd", "timeout"
TICK_SOURCES = (TIMERFD, TIMEOUT)
