"""--stats, --trace, --cpuprofile, --json, -v and --explain on the installed command."""

from __future__ import annotations

import json
import os
import pstats
import re
import signal
import subprocess
from pathlib import Path

import pytest
from support import COUNT, DEADLINE, SIG_COUNTER, Child, Running, StartFn, poll_until
from support.tools import needs_root
from support.tracecheck import check_trace, load_trace
from support.unprivileged import as_user_argv

INTERVAL = "0.02"


@pytest.mark.parametrize("source", ["timerfd", "timeout"])
def test_stats_table_at_shutdown(sig_counter: StartFn, source: str) -> None:
    """--stats prints counts that add up and ordered percentiles on stderr."""
    process = sig_counter("--interval", INTERVAL, "--stats", "--tick-source", source)
    process.wait_ready()
    poll_until(lambda: process.count() >= 5, what="5 ticks")
    process.count()
    process.send(signal.SIGUSR2)
    assert process.line() == b"Resetting ticker count to zero\n"
    process.send(signal.SIGTERM)
    process.line()
    assert process.wait_exit() == 0
    table = "".join(process.rest_of_stderr())
    fields = dict(re.findall(r"^  (\w[\w -]*?)\s{2,}(.+)$", table, re.M))
    ticks, wakeups = int(fields["ticks"]), int(fields["wake-ups"])
    syscalls = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", fields["syscalls"])}
    signals = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", fields["signals"])}
    assert signals["SIGUSR2"] == 1 and signals["SIGTERM"] == 1 and signals["SIGUSR1"] >= 2
    assert fields["dropped lines"] == "0"  # stdout (a pipe read at once) took every line
    handled = sum(signals.values())
    assert syscalls["write"] == handled
    assert syscalls["epoll_pwait"] == wakeups >= ticks // 2 > 0
    if source == "timerfd":  # one read per wake-up for the timer, one per signal wake-up
        assert wakeups <= syscalls["read"] <= wakeups + handled
    else:  # no timer to read: reads are the signalfd's alone, and a wake-up per tick
        assert 0 < syscalls["read"] <= handled
        assert ticks <= wakeups <= ticks + handled
    for label in ("tick lateness", "signal dispatch"):
        p50, p99, peak, n = fields[label].split()
        assert 0 <= float(p50) <= float(p99) <= float(peak) and int(n) > 0, label


def test_trace_file_is_valid_and_complete(sig_counter: StartFn, tmp_path: Path) -> None:
    """--trace writes a well-formed Perfetto/Chrome trace with slices, signals and counters."""
    trace = tmp_path / "trace.json"
    process = sig_counter("--interval", INTERVAL, "--trace", str(trace))
    pid = process.wait_ready()
    poll_until(lambda: process.count() >= 5, what="5 ticks")
    process.terminate()
    text = trace.read_text()
    assert text.endswith("\n]\n")
    events = json.loads(text)  # complete: strict JSON
    check_trace(events)
    phases = {(e["ph"], e["name"]) for e in events}
    for expected in [("X", "epoll_pwait"), ("i", "tick"), ("X", "SIGUSR1"), ("i", "SIGUSR1"),
                     ("X", "SIGTERM"), ("C", "count"), ("C", "tick lateness (µs)")]:
        assert expected in phases, expected
    assert {e["pid"] for e in events} == {pid}
    senders = {e["args"]["sender_pid"] for e in events if e["ph"] == "i" and "sender_pid"
               in e.get("args", {})}
    assert senders == {os.getpid()}


def test_trace_streams_with_flat_memory(sig_counter: StartFn, tmp_path: Path) -> None:
    """At 2 kHz the trace file grows while the program runs, and its RSS does not."""
    trace = tmp_path / "trace.json"
    process = sig_counter("--interval", "0.0005", "--trace", str(trace))
    pid = process.wait_ready()
    poll_until(lambda: trace.stat().st_size > 200_000, what="the trace to reach 200 kB")
    rss_before = _rss_kb(pid)
    poll_until(lambda: trace.stat().st_size > 2_000_000, what="the trace to reach 2 MB")
    assert _rss_kb(pid) - rss_before < 1024
    check_trace(load_trace(trace.read_text()))  # readable while still being written
    process.terminate()


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert match
    return int(match.group(1))


def test_cpuprofile_shows_the_time_in_the_wait(sig_counter: StartFn, tmp_path: Path) -> None:
    """--cpuprofile writes a pstats file in which the native wait holds most of the time."""
    profile = tmp_path / "cpu.prof"
    process = sig_counter("--interval", INTERVAL, "--cpuprofile", str(profile))
    process.wait_ready()
    poll_until(lambda: process.count() >= 10, what="10 ticks")
    process.terminate()
    stats = pstats.Stats(str(profile))
    total = stats.total_tt  # type: ignore[attr-defined]
    waits = [
        timing for (_, _, name), timing in stats.stats.items()  # type: ignore[attr-defined]
        if "loop_wait" in name
    ]
    assert waits, "no entry for the native wait in the profile"
    assert waits[0][3] > 0.8 * total  # cumulative time in the wait
    listing = subprocess.run(
        [str(SIG_COUNTER.with_name("python")), "-m", "pstats", str(profile)],
        input="sort cumtime\nstats 5\n", capture_output=True, text=True, timeout=DEADLINE,
    ).stdout
    assert "loop_wait" in listing


JSON_KEYS = {
    "tick": {"event", "count", "monotonic_ns", "expirations", "lateness_ns"},
    "display": {"event", "count", "monotonic_ns", "signal", "sender", "sender_pid", "sender_uid",
                "si_code"},
}


def test_json_lines_follow_the_schema(sig_counter: StartFn) -> None:
    """--json -v: every stdout line is one JSON object; ticks included, times increasing."""
    process = sig_counter("--interval", INTERVAL, "--json", "-v")
    process.wait_ready()
    records = [json.loads(process.line()) for _ in range(3)]
    process.send(signal.SIGUSR1)
    while (record := json.loads(process.line()))["event"] == "tick":
        records.append(record)
    records.append(record)
    process.send(signal.SIGUSR2)
    while records[-1]["event"] != "reset":
        records.append(json.loads(process.line()))
    process.send(signal.SIGINT)  # after the reset: pending together, SIGINT would go first
    while records[-1]["event"] != "shutdown":
        records.append(json.loads(process.line()))
    assert process.wait_exit() == 0
    kinds = [r["event"] for r in records]
    assert kinds[:3] == ["tick"] * 3 and "display" in kinds and "reset" in kinds
    for record in records:
        expected = JSON_KEYS.get(record["event"], JSON_KEYS["display"])
        assert set(record) == expected, record
        assert isinstance(record["count"], int) and isinstance(record["monotonic_ns"], int)
    times = [r["monotonic_ns"] for r in records]
    assert times == sorted(times)
    display = records[kinds.index("display")]
    assert display["count"] == records[kinds.index("display") - 1]["count"]
    assert (display["signal"], display["sender_pid"]) == ("SIGUSR1", os.getpid())
    assert records[-1]["signal"] == "SIGINT"


def test_json_without_verbose_has_no_ticks(sig_counter: StartFn) -> None:
    """--json alone: only the events the text mode would print."""
    process = sig_counter("--interval", INTERVAL, "--json")
    process.wait_ready()
    poll_until(lambda: _json_count(process) >= 3, what="3 ticks")
    process.send(signal.SIGTERM)
    assert json.loads(process.line())["event"] == "shutdown"


def _json_count(process: Running) -> int:
    process.send(signal.SIGUSR1)
    record = json.loads(process.line())
    assert record["event"] == "display"
    return int(record["count"])


def test_verbose_text_appends_the_sender(sig_counter: StartFn) -> None:
    """-v keeps the original's words and adds (from pid P, uid U)."""
    process = sig_counter("--interval", INTERVAL, "-v")
    process.wait_ready()
    process.send(signal.SIGUSR1)
    line = process.line().decode()
    suffix = f" (from pid {os.getpid()}, uid {os.getuid()})\n"
    assert line.endswith(suffix) and COUNT.match(line.removesuffix(suffix) + "\n")


NOBODY = 65534


def _as_user(uid: int) -> list[str]:
    """The command prefix that runs as ``uid`` (nothing for our own)."""
    if uid == os.getuid():
        return []
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


@pytest.mark.parametrize("sender_uid", [os.getuid(), NOBODY], ids=["this uid", "nobody"])
def test_sender_outside_our_pid_namespace_is_reported_as_such(
    tmp_path: Path, sender_uid: int
) -> None:
    """Run in a new PID namespace, a kill from outside reports pid 0: said as a
    process outside the namespace with its uid, except for uid 0, whose record
    is the kernel's "no record" one: then the sender is unknown."""
    needs_root("unshare --pid makes a PID namespace only for root")
    unshare = subprocess.run(
        ["unshare", "--pid", "--kill-child", "true"], capture_output=True, timeout=DEADLINE
    )
    if unshare.returncode != 0:
        pytest.skip(f"cannot create a PID namespace here: {unshare.stderr.decode().strip()}")
    if sender_uid != os.getuid():
        as_user_argv()  # skips, saying why, where that user cannot run the command
    errors = tmp_path / "stderr"
    with errors.open("wb") as stderr:
        wrapper = Child(
            # --kill-child (which implies --fork): killing the wrapper kills sig-counter too.
            ["unshare", "--pid", "--kill-child", *_as_user(sender_uid), str(SIG_COUNTER), "-v",
             "--interval", INTERVAL], stderr=stderr)
    with wrapper:
        poll_until(lambda: "ready" in errors.read_text(), what="the ready line")
        # Run as another user, it may not open the test's pipe again, and says
        # its stdout will block (tests/system/test_shared_output.py).
        lines = [line for line in errors.read_text().splitlines()
                 if "cannot be opened again without blocking" not in line]
        assert lines[0].startswith("sig-counter: pid 1 ready"), lines
        (inner,) = Path(f"/proc/{wrapper.pid}/task/{wrapper.pid}/children").read_text().split()
        subprocess.run([*_as_user(sender_uid), "kill", "-TERM", inner], check=True,
                       timeout=DEADLINE)
        out = wrapper.line()
        said = ("an unknown sender" if sender_uid == 0 else
                f"a process outside this PID namespace, uid {sender_uid}")
        assert out.decode().endswith(f"shutting down (from {said})\n"), out
        assert wrapper.wait_exit() == 0


def test_explain_prints_commands_for_this_pid(sig_counter: StartFn) -> None:
    """--explain lists the tracing commands with the running PID filled in."""
    process = sig_counter("--interval", INTERVAL, "--explain")
    pid = process.wait_ready()
    text = "".join(process.err_line() for _ in range(6))
    assert f"perf trace -p {pid}" in text and f"kill -USR1 {pid}" in text
    process.send(signal.SIGTERM)
    assert process.wait_exit() == 0
    rest = "".join(process.rest_of_stderr())
    commands = [f"strace -c -f -p {pid}", f"/pid == {pid}/", f"py-spy dump --native --pid {pid}"]
    for command in [*commands, "signal_generate"]:
        assert command in text + rest, command


@pytest.mark.parametrize("flag", ["--trace", "--cpuprofile"])
def test_unwritable_output_file_is_a_usage_error(flag: str, tmp_path: Path) -> None:
    """A file that cannot be created is refused up front: status 2, one line."""
    result = subprocess.run(
        [str(SIG_COUNTER), flag, str(tmp_path / "missing" / "out")],
        capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "No such file or directory" in result.stderr


def test_sighup_ends_the_run_as_cleanly_as_sigterm(sig_counter: StartFn, tmp_path: Path) -> None:
    """SIGHUP (the terminal went away): the shutdown event is the last JSON object,
    the trace file is closed, the stats table is printed, status 0."""
    trace = tmp_path / "trace.json"
    process = sig_counter("--interval", INTERVAL, "--json", "--stats", "--trace", str(trace))
    process.wait_ready()
    process.send(signal.SIGHUP)
    record = json.loads(process.line())
    assert (record["event"], record["signal"]) == ("shutdown", "SIGHUP")
    assert process.wait_exit() == 0
    assert process.proc.stdout is not None and process.proc.stdout.read() == b""
    check_trace(json.loads(trace.read_text()))  # complete: strict JSON, closing bracket
    stderr = "".join(process.rest_of_stderr())
    assert "sig-counter stats" in stderr and "SIGHUP 1" in stderr


def test_sighup_line_in_text_mode(sig_counter: StartFn) -> None:
    """In text mode SIGHUP prints the original's style of line, with Go's name for it."""
    process = sig_counter("--interval", INTERVAL)
    process.wait_ready()
    process.send(signal.SIGHUP)
    assert process.line() == "received hangup \N{EM DASH} shutting down\n".encode()
    assert process.wait_exit() == 0


def test_instruments_never_spin_at_sub_millisecond_periods(sig_counter: StartFn) -> None:
    """--stats with the timeout source at 1 µs: epoll_pwait's timeout is rounded up
    to 1 ms, so the loop wakes about a thousand times a second, never in a busy loop."""
    process = sig_counter("--stats", "--tick-source", "timeout", "--interval", "0.000001")
    process.wait_ready()
    poll_until(lambda: process.count() >= 200_000, what="200,000 ticks (0.2 s)")
    process.terminate()
    table = "".join(process.rest_of_stderr())
    fields = dict(re.findall(r"^  (\w[\w -]*?)\s{2,}(.+)$", table, re.M))
    run_time = float(fields["run time"].split()[0])
    wakeups = int(fields["wake-ups"])
    # A spin makes a hundred times more.
    assert wakeups <= 1_100 * run_time + 50, (wakeups, run_time)


def test_trace_reaches_the_file_every_wake_so_a_kill_loses_little(
    sig_counter: StartFn, tmp_path: Path
) -> None:
    """--trace writes each wake-up's events before waiting again: while it runs the
    file already holds every tick, and after a SIGKILL it still loads."""
    trace = tmp_path / "trace.json"
    process = sig_counter("--interval", INTERVAL, "--trace", str(trace))
    process.wait_ready()

    def ticks_in_file() -> int:
        try:
            events = load_trace(trace.read_text())
        except ValueError:  # not written yet, or read in the middle of a write
            return 0
        return sum(1 for e in events if e.get("name") == "tick")

    poll_until(lambda: ticks_in_file() >= 5, what="5 ticks in the trace file")
    process.proc.kill()
    process.proc.wait(timeout=DEADLINE)
    events = load_trace(trace.read_text())
    check_trace(events)
    ticks = [e for e in events if e.get("name") == "tick"]
    # At 20 ms a tick, the last one in the file is at most a wake-up or two old.
    assert ticks and ticks[-1]["args"]["count"] >= 5
