"""Text from the command line or the environment, shown in a message the way
a user can read it and type it back.

A Linux path, argument or environment value is bytes. Python decodes them
with the file system encoding (UTF-8, or ASCII under ``LC_ALL=C
PYTHONUTF8=0``) and keeps each byte it cannot decode as a lone surrogate
(``surrogateescape``), so that ``os.open`` gets the very bytes back. Such a
string cannot be encoded strictly, and a newline in it would split a
one-line message. So a value that is not printable text is shown in bash's
``$'...'`` quoting, with its odd bytes and control characters escaped:
``$'/tmp/full\\xff'``, which a shell turns back into the same bytes.
"""

from __future__ import annotations

import os

# The control characters bash's $'...' names by letter.
_NAMED = {"\a": "\\a", "\b": "\\b", "\x1b": "\\E", "\f": "\\f", "\n": "\\n", "\r": "\\r",
          "\t": "\\t", "\v": "\\v", "\\": "\\\\", "'": "\\'"}


def _as_utf8(text: str) -> str:
    """``text``'s bytes read as UTF-8, whatever the file system encoding: a
    valid UTF-8 name decoded as ASCII becomes readable again."""
    try:
        return os.fsencode(text).decode("utf-8", "surrogateescape")
    except UnicodeError:  # a surrogate that no decoding made: leave it to escape()
        return text


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if char.isprintable():
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    # Its bytes, not bash's \u, which yields them only under a UTF-8 locale.
    return "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))


def shown(text: str) -> str:
    """``text`` as it is when it is printable, else in ``$'...'`` quoting."""
    readable = _as_utf8(text)
    if readable.isprintable():
        return readable
    return "$'" + "".join(_escape(char) for char in readable) + "'"


def quoted(text: str) -> str:
    """``text`` always quoted: ``'0.5'``, or ``$'...'`` when it needs escapes."""
    readable = _as_utf8(text)
    if readable.isprintable() and "'" not in readable:
        return f"'{readable}'"
    return "$'" + "".join(_escape(char) for char in readable) + "'"


def encoded(message: str) -> bytes:
    """``message`` as UTF-8 bytes, never raising: a byte kept by
    ``surrogateescape`` that nobody escaped is written as ``\\xNN``."""
    try:
        return message.encode()
    except UnicodeEncodeError:
        return "".join(
            f"\\x{ord(char) - 0xDC00:02x}" if "\udc80" <= char <= "\udcff" else char
            for char in message
        ).encode("utf-8", "backslashreplace")
