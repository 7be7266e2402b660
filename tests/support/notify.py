"""The service manager's side of sd_notify, for tests: a socket the test binds and reads."""

from __future__ import annotations

import os
import queue
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from support import DEADLINE


class Manager:
    """The service manager's end of NOTIFY_SOCKET, read as it would be: at once, by a
    thread, so the program never finds the queue full. Every read has a timeout."""

    def __init__(self, name: str, address: str | bytes) -> None:
        self.name = name
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.socket.bind(address)
        self.socket.settimeout(0.05)  # how soon the reader notices close()
        self._messages: queue.Queue[str] = queue.Queue()
        self._open = True
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while self._open:
            try:
                self._messages.put(self.socket.recv(4096).decode())
            except TimeoutError:
                continue

    def next(self) -> str:
        try:
            return self._messages.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError(f"no notify message within {DEADLINE}s") from None

    def until(self, last: Callable[[str], object]) -> list[str]:
        """Messages up to and including the first for which ``last`` is true."""
        messages = [self.next()]
        while not last(messages[-1]):
            messages.append(self.next())
        return messages

    def close(self) -> None:
        self._open = False
        self._reader.join(DEADLINE)
        self.socket.close()


def listen(form: str, tmp_path: Path) -> Manager:
    """A Manager on a socket named by a path in ``tmp_path`` (``form`` "path"), or by
    an abstract name no other test uses ("abstract"); close() it when done."""
    if form == "path":
        return Manager(str(tmp_path / "notify"), str(tmp_path / "notify"))
    name = f"sig-counter-test-{os.getpid()}-{os.urandom(4).hex()}"
    return Manager(f"@{name}", b"\0" + name.encode())
