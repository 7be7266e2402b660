"""The tests' own strace parser, on captured lines: what the syscall budget counts."""

from __future__ import annotations

from support.strace import Call, parse_strace


def test_parser_reads_strace_lines() -> None:
    """The parser keeps completed calls (plain and resumed) and drops the rest."""
    text = (
        '7  epoll_pwait(5, [{events=EPOLLIN, data={u32=4, u64=4}}], 16, -1, NULL, 8) = 1\n'
        '7  read(4, "\\1\\0\\0\\0\\0\\0\\0\\0", 8)    = 8\n'
        "7  <... epoll_pwait resumed>[{events=EPOLLIN, data={u32=3, u64=3}}], 16, -1, NULL, 8)"
        " = 1\n"
        '7  write(1, "Ticker count: 46\\n", 17) = 17\n'
        "7  epoll_pwait(5, [], 16, -1, NULL, 8) = -1 EINTR (Interrupted system call)\n"
        "7  epoll_pwait(5,  <detached ...>\n"
    )
    assert parse_strace(text) == [
        Call(7, "epoll_pwait", 5, "8", 1, None),
        Call(7, "read", 4, "8", 8, None),
        Call(7, "epoll_pwait", None, "8", 1, None),
        Call(7, "write", 1, "17", 17, None),
        Call(7, "epoll_pwait", 5, "8", -1, "EINTR"),
    ]
