# Hand-written stub for the cffi-built extension (no stub generator handles
# cffi's API mode). Keep it in step with native/cdef.h and native/loop_wait.h:
# tests/kernel/test_stub.py compares it with the built module's names and
# struct fields.
from typing import Any

class _FFI:
    NULL: Any
    errno: int
    def new(self, cdecl: str, init: Any = ...) -> Any: ...
    def sizeof(self, cdecl: str | Any) -> int: ...
    def typeof(self, cdecl: str | Any) -> Any: ...
    def unpack(self, cdata: Any, length: int) -> Any: ...
    def addressof(self, cdata: Any, *fields: str) -> Any: ...
    def offsetof(self, cdecl: str, *fields: str) -> int: ...
    def cast(self, cdecl: str, value: Any) -> Any: ...
    def from_buffer(self, cdecl: str | Any, buffer: Any = ...) -> Any: ...
    def buffer(self, cdata: Any, size: int = ...) -> Any: ...

class _Lib:
    NSIG: int
    SIGHUP: int
    SIGINT: int
    SIGQUIT: int
    SIGILL: int
    SIGTRAP: int
    SIGABRT: int
    SIGBUS: int
    SIGFPE: int
    SIGKILL: int
    SIGUSR1: int
    SIGSEGV: int
    SIGUSR2: int
    SIGPIPE: int
    SIGALRM: int
    SIGTERM: int
    SIGCHLD: int
    SIGCONT: int
    SIGSTOP: int
    SIGTSTP: int
    SIGTTIN: int
    SIGTTOU: int
    SIGURG: int
    SIGXCPU: int
    SIGXFSZ: int
    SIGVTALRM: int
    SIGPROF: int
    SIGWINCH: int
    SIGIO: int
    SIGPWR: int
    SIGSYS: int
    SIG_BLOCK: int
    SIG_UNBLOCK: int
    SIG_SETMASK: int
    SFD_CLOEXEC: int
    SFD_NONBLOCK: int
    SI_USER: int
    SI_KERNEL: int
    SI_QUEUE: int
    CLOCK_REALTIME: int
    CLOCK_MONOTONIC: int
    CLOCK_BOOTTIME: int
    TFD_CLOEXEC: int
    TFD_NONBLOCK: int
    TFD_TIMER_ABSTIME: int
    EPOLL_CLOEXEC: int
    EPOLL_CTL_ADD: int
    EPOLL_CTL_MOD: int
    EPOLL_CTL_DEL: int
    EPOLLIN: int
    EPOLLOUT: int
    EPOLLPRI: int
    EPOLLERR: int
    EPOLLHUP: int
    EPOLLRDHUP: int
    EPOLLET: int
    EPOLLONESHOT: int
    def sigemptyset(self, set: Any) -> int: ...
    def sigaddset(self, set: Any, signum: int) -> int: ...
    def sigismember(self, set: Any, signum: int) -> int: ...
    def sigprocmask(self, how: int, set: Any, oldset: Any) -> int: ...
    def signalfd(self, fd: int, mask: Any, flags: int) -> int: ...
    def timerfd_create(self, clockid: int, flags: int) -> int: ...
    def timerfd_settime(self, fd: int, flags: int, new_value: Any, old_value: Any) -> int: ...
    def timerfd_gettime(self, fd: int, curr_value: Any) -> int: ...
    def epoll_create1(self, flags: int) -> int: ...
    def epoll_ctl(self, epfd: int, op: int, fd: int, event: Any) -> int: ...
    def epoll_pwait(
        self, epfd: int, events: Any, maxevents: int, timeout: int, sigmask: Any
    ) -> int: ...
    LOOP_WAIT_MAX_EVENTS: int
    LOOP_WAIT_MAX_SIGNALS: int
    TAG_TIMER: int
    TAG_SIGNALS: int
    TAG_FIRST_WATCH: int
    def loop_wait(self, wait: LoopWaitStruct) -> int: ...
    def decode_siginfo(self, infos: Any, count: int, records: Any, read_ns: int) -> None: ...
    SIGCOUNTER_PROBES: int
    sigcounter_emit_semaphore: int
    def fire_emit(self, kind: int, count: int) -> None: ...

# The structs of our own, as the Python side sees them through ffi.new().
class ReadyWatchStruct:
    tag: int
    events: int

class LoopWaitStruct:
    epfd: int
    timerfd: int
    signalfd: int
    every_wake: int
    start_ns: int
    interval_ns: int
    ticks_total: int
    lateness_ns: int
    counted_ns: int
    wait_begin_ns: int
    wait_end_ns: int
    epoll_waits: int
    reads: int
    ticks: int
    nsignals: int
    signals: Any  # struct sig_info[]: read as one int64_t array (loopwait.RECORD_WORDS each)
    nready: int
    ready: list[ReadyWatchStruct]

ffi: _FFI
lib: _Lib
