/* The C side of sigcounter._native. Apart from the headers, the only code
 * of our own is wait_and_count_ticks(): the steady-state wait with ticks counted in C,
 * so that an idle tick runs no Python at all. Everything it calls is a
 * system call that the Python layer wraps too; see sigcounter/drain.py. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int64_t sc_monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);  /* the vDSO: no system call */
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Wait until an fd other than the timer is ready; return how many, with
 * those events (and only those) at the start of `events`. Meanwhile add
 * every tick that comes due to *ticks, ticks first, as the Python loop does:
 *  - timerfd >= 0: read the timerfd's expiration count when it is ready
 *    (epoll_pwait + read per tick);
 *  - timerfd < 0: wait with the time left to the next tick as the timeout
 *    and count the ticks elapsed since start_ns on CLOCK_MONOTONIC;
 *    *scheduled is how many of them were counted so far (epoll_pwait only).
 * Returns -1 with errno set on failure, EINTR included: the caller retries,
 * so that Python-level signal handlers get to run. */
int wait_and_count_ticks(int epfd, struct epoll_event *events, int maxevents, int timerfd,
            int64_t start_ns, int64_t interval_ns, uint64_t *scheduled, uint64_t *ticks)
{
    for (;;) {
        int timeout_ms = -1;
        if (timerfd < 0) {
            int64_t due = start_ns + (int64_t)(*scheduled + 1) * interval_ns;
            int64_t left = due - sc_monotonic_ns();
            /* Rounded up, so the wait never ends before the tick is due. */
            timeout_ms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
        }
        int ready = epoll_pwait(epfd, events, maxevents, timeout_ms, NULL);
        if (ready < 0)
            return -1;
        int kept = 0;
        for (int i = 0; i < ready; i++) {
            if (timerfd >= 0 && events[i].data.fd == timerfd) {
                uint64_t expirations;
                if (read(timerfd, &expirations, sizeof expirations) == sizeof expirations)
                    *ticks += expirations;
                else if (errno != EAGAIN)
                    return -1;
            } else {
                events[kept++] = events[i];
            }
        }
        if (timerfd < 0) {
            uint64_t elapsed = (uint64_t)((sc_monotonic_ns() - start_ns) / interval_ns);
            if (elapsed > *scheduled) {
                *ticks += elapsed - *scheduled;
                *scheduled = elapsed;
            }
        }
        if (kept > 0)
            return kept;
    }
}
