"""asyncio: loop.add_signal_handler and a tick rescheduled with call_at.

Each tick is scheduled from the previous *scheduled* time, so it does not
drift, and after a SIGSTOP the overdue ticks run back to back and are all
counted. Usage: asyncio_counter.py [--interval SECONDS]
"""

import asyncio
import os
import signal

from interval import interval_from_argv

interval = interval_from_argv()


async def main() -> None:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    state = {"count": 0}

    def tick(when: float) -> None:
        state["count"] += 1
        loop.call_at(when + interval, tick, when + interval)

    def show() -> None:
        os.write(1, f"Ticker count: {state['count']}\n".encode())

    def reset() -> None:
        state["count"] = 0
        os.write(1, b"Resetting ticker count to zero\n")

    def stop(name: str) -> None:
        os.write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
        if not done.done():
            done.set_result(None)

    loop.add_signal_handler(signal.SIGUSR1, show)
    loop.add_signal_handler(signal.SIGUSR2, reset)
    loop.add_signal_handler(signal.SIGTERM, stop, "terminated")
    loop.add_signal_handler(signal.SIGINT, stop, "interrupt")
    first = loop.time() + interval
    loop.call_at(first, tick, first)
    os.write(2, f"asyncio_counter: pid {os.getpid()} ready\n".encode())
    await done


asyncio.run(main())
