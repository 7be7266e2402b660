/* The loop's one wait (loop_wait() in source.c): its records and its state.
 *
 * One text for both sides: source.c includes it, and build_native.py hands
 * the same text to cffi's cdef, so C and Python cannot disagree on a field,
 * a width or an order. That is why it holds only what both can read: plain
 * declarations and "#define NAME number", no #include (source.c includes
 * <stdint.h> and <sys/signalfd.h> first) and no include guard.
 * sigcounter/kernel/siginfo.py and loopwait.py check at import that the
 * module they load was built from this layout. */

#define LOOP_WAIT_MAX_EVENTS 8
#define LOOP_WAIT_MAX_SIGNALS 16

/* Each registered fd's epoll data (all 64 bits of it) is a tag saying what
 * it is: dispatch never compares fd numbers. */
#define TAG_TIMER 1
#define TAG_SIGNALS 2
#define TAG_FIRST_WATCH 3   /* and upwards: other watched fds, handed back to Python */

/* One signal, as sigcounter.kernel.siginfo.SigInfo has it: the fields of
 * struct signalfd_siginfo, each 64 bits wide, so that the records are one
 * flat array of int64_t that Python unpacks in a single call, and the time
 * of the read. */
struct sig_info {
    int64_t signo;
    int64_t errno_value;
    int64_t code;          /* si_code: SI_USER for kill(2), SI_QUEUE for sigqueue(3), ... */
    int64_t sender_pid;
    int64_t sender_uid;
    int64_t fd;
    int64_t tid;
    int64_t band;
    int64_t overrun;
    int64_t trapno;
    int64_t status;
    int64_t value_int;     /* sigqueue(3)'s value, as an int ... */
    int64_t value_ptr;     /* ... and as a pointer (its 64 bits, read as signed) */
    int64_t utime;
    int64_t stime;
    int64_t addr;
    int64_t read_ns;       /* CLOCK_MONOTONIC when the signalfd read returned it */
};

struct ready_watch {
    uint64_t tag;          /* the epoll data it was registered with */
    uint32_t events;       /* EPOLLIN, EPOLLOUT, EPOLLERR, ... */
};

struct loop_wait {
    /* in: what to wait on */
    int epfd;
    int timerfd;           /* the tick timer, or -1: ticks from epoll_pwait's timeout */
    int signalfd;
    int every_wake;        /* 1: return after every wait (an instrument is on) */
    /* the tick schedule, its one owner: tick k is due at start_ns + k * interval_ns */
    int64_t start_ns;
    int64_t interval_ns;
    uint64_t ticks_total;  /* ticks counted since start_ns */
    /* out: what the last call saw */
    int64_t lateness_ns;   /* counted_ns minus the last counted tick's due time */
    int64_t counted_ns;    /* CLOCK_MONOTONIC when ticks were last counted */
    int64_t wait_begin_ns; /* every_wake: CLOCK_MONOTONIC around the last epoll_pwait */
    int64_t wait_end_ns;
    uint64_t epoll_waits;  /* running totals of the system calls made */
    uint64_t reads;
    /* What the signal path reads: 64-bit words, which Python reads through
     * one memoryview at offsets it takes from the compiler (loopwait.py). */
    uint64_t ticks;        /* ticks counted and not yet taken by the caller */
    int64_t nsignals;
    struct sig_info signals[LOOP_WAIT_MAX_SIGNALS];
    int nready;
    struct ready_watch ready[LOOP_WAIT_MAX_EVENTS];
};

int loop_wait(struct loop_wait *wait);

/* signalfd's records to sig_info ones, read_ns in each: the one place that
 * knows which kernel field is which. Pure; SignalFD.read() calls it too. */
void decode_siginfo(const struct signalfd_siginfo *infos, int count,
                    struct sig_info *records, int64_t read_ns);
