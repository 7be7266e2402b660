"""The memory baseline: a bare CPython blocked in select.epoll().poll(), doing nothing."""

import os
import select

os.write(2, f"epoll_idle: pid {os.getpid()} ready\n".encode())
select.epoll().poll()
