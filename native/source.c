/* The C side of sigcounter.kernel._native. Apart from the headers, the only
 * code of our own is loop_wait(), the loop's one wait (README.md, "How it
 * works", tells the design; sigcounter/kernel/loopwait.py is its Python
 * side), decode_siginfo(), which it shares with SignalFD.read(), and the USDT
 * probes (sigcounter/kernel/probes.py documents their arguments). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* USDT probes, provider "sigcounter" (sigcounter/kernel/probes.py documents
 * their arguments). native/build_native.py sets SIGCOUNTER_PROBES to 1 when
 * the compiler has <sys/sdt.h>; without it the probes compile to nothing.
 * A probe site is a single nop plus an ELF note saying where its arguments
 * are; a tracer that attaches turns the nop into a breakpoint. Each probe
 * also has a semaphore (_SDT_HAS_SEMAPHORES): a counter that the tracer (or
 * the kernel, for uprobes with a reference counter) raises while it is
 * attached, so that work done only for a probe can be skipped otherwise. */
#ifndef SIGCOUNTER_PROBES
#define SIGCOUNTER_PROBES 0
#endif
#if SIGCOUNTER_PROBES
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#define PROBE2(name, a, b) STAP_PROBE2(sigcounter, name, a, b)
#define PROBE3(name, a, b, c) STAP_PROBE3(sigcounter, name, a, b, c)
#define PROBE4(name, a, b, c, d) STAP_PROBE4(sigcounter, name, a, b, c, d)
/* Where sdt.h's users (and dtrace -G) put semaphores; hidden, so the note's
 * link-time address is the one in use. */
#define SEMAPHORE __attribute__((section(".probes"), visibility("hidden")))
/* Read through volatile: a tracer changes it behind the compiler's back. */
#define PROBE_ENABLED(name) \
    __builtin_expect(*(volatile unsigned short *)&sigcounter_##name##_semaphore != 0, 0)
#else
#define PROBE2(name, a, b) ((void)(a), (void)(b))
#define PROBE3(name, a, b, c) ((void)(a), (void)(b), (void)(c))
#define PROBE4(name, a, b, c, d) ((void)(a), (void)(b), (void)(c), (void)(d))
#define SEMAPHORE
#define PROBE_ENABLED(name) 0
#endif
/* sdt.h's names: provider_name_semaphore. Zero while nothing is attached.
 * They exist in a build without probes too (always zero), so that the
 * Python side is the same in both. */
unsigned short sigcounter_tick_semaphore SEMAPHORE;
unsigned short sigcounter_signal_semaphore SEMAPHORE;
unsigned short sigcounter_wake_semaphore SEMAPHORE;
unsigned short sigcounter_emit_semaphore SEMAPHORE;

/* The structs and constants shared with Python, in the one text that cffi's
 * cdef reads too. */
#include "loop_wait.h"

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);  /* the vDSO: no system call */
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* The tick schedule: tick k is due at start_ns + k * interval_ns. */
static int64_t due_ns(const struct loop_wait *w, uint64_t tick)
{
    return w->start_ns + (int64_t)tick * w->interval_ns;
}

/* epoll_pwait's timeout: forever with a timerfd; otherwise the time left to
 * the next tick, rounded up to whole milliseconds so the wait never ends
 * before the tick is due, and never under 1 ms. At sub-millisecond periods
 * the next tick is often due again by the time this runs; a 0 timeout would
 * then spin, one wake-up per pass, instead of counting a millisecond's ticks
 * per wake-up. */
static int timeout_ms(const struct loop_wait *w)
{
    if (w->timerfd >= 0)
        return -1;
    int64_t left = due_ns(w, w->ticks_total + 1) - monotonic_ns();
    int64_t ms = left <= 1000000 ? 1 : (left + 999999) / 1000000;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Add the ticks that fell due: the timerfd's expiration count, or the
 * periods elapsed on CLOCK_MONOTONIC. The lateness is taken after the
 * count, so every tick counted was due by then: it is never negative. */
static int count_ticks(struct loop_wait *w, int timer_ready)
{
    uint64_t expirations = 0;
    int64_t now = 0;
    /* With a timerfd the kernel does the counting, and the clock is read
     * only for what reports when a count was made (an instrument, an
     * attached tick probe): an idle tick is then epoll_pwait + read and no
     * more, like the C floor. Cold after a second's sleep, the vDSO read
     * cost about 1.5 us a tick (docs/performance.md). */
    int timed = w->every_wake || PROBE_ENABLED(tick);
    if (w->timerfd >= 0) {
        if (!timer_ready)
            return 0;
        w->reads++;
        if (read(w->timerfd, &expirations, sizeof expirations) != sizeof expirations)
            return errno == EAGAIN ? 0 : -1;
        if (timed)
            now = monotonic_ns();
    } else {
        now = monotonic_ns();
        timed = 1;
        uint64_t elapsed = (uint64_t)((now - w->start_ns) / w->interval_ns);
        if (elapsed > w->ticks_total)
            expirations = elapsed - w->ticks_total;
    }
    if (expirations > 0) {
        w->ticks_total += expirations;
        w->ticks += expirations;
        if (timed) {
            w->counted_ns = now;
            w->lateness_ns = now - due_ns(w, w->ticks_total);
            PROBE3(tick, expirations, w->lateness_ns, w->ticks_total);
        }
    }
    return 0;
}

void decode_siginfo(const struct signalfd_siginfo *infos, int count,
                    struct sig_info *records, int64_t read_ns)
{
    for (int i = 0; i < count; i++) {
        const struct signalfd_siginfo *info = &infos[i];
        struct sig_info *record = &records[i];
        record->signo = info->ssi_signo;
        record->errno_value = info->ssi_errno;
        record->code = info->ssi_code;
        record->sender_pid = info->ssi_pid;
        record->sender_uid = info->ssi_uid;
        record->fd = info->ssi_fd;
        record->tid = info->ssi_tid;
        record->band = info->ssi_band;
        record->overrun = info->ssi_overrun;
        record->trapno = info->ssi_trapno;
        record->status = info->ssi_status;
        record->value_int = info->ssi_int;
        /* The unsigned 64-bit fields keep their bits, read as signed. */
        record->value_ptr = (int64_t)info->ssi_ptr;
        record->utime = (int64_t)info->ssi_utime;
        record->stime = (int64_t)info->ssi_stime;
        record->addr = (int64_t)info->ssi_addr;
        record->read_ns = read_ns;
    }
}

/* One read of the signalfd, several records at once; EAGAIN (another reader
 * took them, or a fault) means none. */
static int read_signals(struct loop_wait *w)
{
    struct signalfd_siginfo infos[LOOP_WAIT_MAX_SIGNALS];
    w->reads++;
    ssize_t got = read(w->signalfd, infos, sizeof infos);
    if (got < 0)
        return errno == EAGAIN ? 0 : -1;
    int count = (int)(got / (ssize_t)sizeof infos[0]);
    int64_t read_ns = count > 0 ? monotonic_ns() : 0;  /* when the signals reached us */
    decode_siginfo(infos, count, w->signals, read_ns);
    for (int i = 0; i < count; i++) {
        const struct sig_info *record = &w->signals[i];
        PROBE4(signal, record->signo, record->sender_pid, record->sender_uid, record->code);
    }
    w->nsignals = count;
    return 0;
}

/* Wait until Python has something to do, and say what: the ticks counted
 * meanwhile (w->ticks), the signals read (w->signals, in the kernel's order)
 * and any other ready source (w->ready). With every_wake set (an instrument
 * is on) it returns after every epoll_pwait, with its begin and end times.
 * Returns the number of ready sources, or -1 with errno set; EINTR comes back
 * too, so that Python-level signal handlers get to run, and the caller
 * retries. The signals and sources are those of this call; w->ticks adds up
 * until the caller takes them (so no tick is lost to an EINTR), and
 * epoll_waits and reads are running totals of the system calls made. */
int loop_wait(struct loop_wait *w)
{
    struct epoll_event events[LOOP_WAIT_MAX_EVENTS];
    w->nsignals = 0;
    w->nready = 0;
    for (;;) {
        int timeout = timeout_ms(w);
        /* The clock is read around the wait only for an instrument or an
         * attached wake probe: otherwise an idle tick stays exactly
         * epoll_pwait + read, with nothing else in between. */
        int timed = w->every_wake || PROBE_ENABLED(wake);
        if (timed)
            w->wait_begin_ns = monotonic_ns();
        w->epoll_waits++;
        int ready = epoll_pwait(w->epfd, events, LOOP_WAIT_MAX_EVENTS, timeout, NULL);
        if (timed) {
            w->wait_end_ns = monotonic_ns();
            PROBE2(wake, w->wait_end_ns - w->wait_begin_ns, ready);
        }
        if (ready < 0)
            return -1;
        int timer_ready = 0, signals_ready = 0;
        for (int i = 0; i < ready; i++) {
            uint64_t tag = events[i].data.u64;  /* as Epoll registers it */
            if (tag == TAG_TIMER) {
                timer_ready = 1;
            } else if (tag == TAG_SIGNALS) {
                signals_ready = 1;
            } else {
                w->ready[w->nready].tag = tag;
                w->ready[w->nready].events = events[i].events;
                w->nready++;
            }
        }
        /* Ticks first: a signal handled in this wake-up sees every tick
         * that came due before it. */
        if (count_ticks(w, timer_ready) < 0)
            return -1;
        if (signals_ready && read_signals(w) < 0)
            return -1;
        if (w->every_wake || w->nsignals > 0 || w->nready > 0)
            return w->nready;
    }
}

/* The probe for each line the program emits, fired from Python (probes.py),
 * which calls this only while sigcounter_emit_semaphore (read in place from
 * Python) says a tracer is attached; its arguments are documented in
 * sigcounter/kernel/probes.py. Never inlined: one probe site, in one place. */
__attribute__((noinline)) void fire_emit(int kind, int64_t count)
{
    PROBE2(emit, kind, count);
}
