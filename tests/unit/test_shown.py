"""Values from the command line shown in messages: one printable line, the same
bytes back when read as bash reads ``$'...'``, and no text can make the
encoding of a message fail."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.shown import encoded, quoted, shown

_LETTERS = {"a": 0x07, "b": 0x08, "E": 0x1B, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09,
            "v": 0x0B, "\\": 0x5C, "'": 0x27}


def _unescaped(text: str) -> bytes:
    """The bytes bash makes of ``$'...'``, for the escapes ``shown`` writes."""
    body, out, index = text[2:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out += char.encode()
            index += 1
        elif body[index + 1] == "x":
            out.append(int(body[index + 2:index + 4], 16))
            index += 4
        else:
            out.append(_LETTERS[body[index + 1]])
            index += 2
    return bytes(out)


@pytest.mark.parametrize(
    ("raw", "said"),
    [(b"/tmp/trace.json", "/tmp/trace.json"), (b"/tmp/full\xff", "$'/tmp/full\\xff'"),
     ("été".encode(), "été"), (b"a\nb", "$'a\\nb'"), (b"it's\t", "$'it\\'s\\t'"),
     (b"\x1b[31m", "$'\\E[31m'"), ("\u200b".encode(), "$'\\xe2\\x80\\x8b'")],
)
def test_a_value_is_shown_as_is_or_escaped(raw: bytes, said: str) -> None:
    """Printable UTF-8 is shown as it is; a byte that is not UTF-8, a control
    character or an invisible one is escaped inside $'...'."""
    assert shown(os.fsdecode(raw)) == said


@given(st.binary(max_size=40))
def test_any_bytes_come_back_from_what_is_shown(raw: bytes) -> None:
    """Whatever the bytes, what is shown is one printable line: the text itself
    when it is printable UTF-8, else $'...' that bash reads back into the same
    bytes; quoted() likewise, inside plain single quotes when it can be."""
    readable = raw.decode("utf-8", "surrogateescape")
    text, in_quotes = shown(os.fsdecode(raw)), quoted(os.fsdecode(raw))
    assert text.isprintable() and in_quotes.isprintable()
    if readable.isprintable():
        assert text == readable
    else:
        assert text.startswith("$'") and _unescaped(text) == raw
    if in_quotes.startswith("'"):
        assert in_quotes == f"'{readable}'" and "'" not in readable
    else:
        assert _unescaped(in_quotes) == raw


@given(st.text())
def test_encoding_a_message_never_fails(message: str) -> None:
    """Any str, lone surrogates included, encodes; a surrogate that stands for a
    byte is written as \\xNN, and valid text is left as it is."""
    data = encoded(message)
    assert data.count(b"\n") == message.count("\n")
    if not any("\ud800" <= char <= "\udfff" for char in message):
        assert data == message.encode()


def test_a_byte_nobody_escaped_is_written_as_its_escape() -> None:
    """A message holding a raw path's surrogate says \\xff where the byte was."""
    assert encoded("--pidfile /run/p\udcff: held") == b"--pidfile /run/p\\xff: held"
