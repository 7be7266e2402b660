/* The C side of sigcounter._native. Apart from the headers, the only code
 * of our own is wait_and_count_ticks(): the steady-state wait with ticks
 * counted in C, so that an idle tick runs no Python at all. Everything it
 * calls is a system call that the Python layer wraps too; see
 * sigcounter/drain.py. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define TICK_WAIT_MAX_EVENTS 8

struct tick_wait {
    int epfd;
    int timerfd;
    int64_t start_ns;
    int64_t interval_ns;
    uint64_t scheduled;
    uint64_t ticks;
    int ready[TICK_WAIT_MAX_EVENTS];
};

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);  /* the vDSO: no system call */
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Wait until an fd other than the timer is ready; return how many, their
 * fds in w->ready. Meanwhile add every tick that comes due to w->ticks,
 * ticks first, as the Python loop does:
 *  - timerfd >= 0: read the timerfd's expiration count when it is ready
 *    (epoll_pwait + read per tick);
 *  - timerfd < 0: wait with the time left to the next tick as the timeout
 *    and count the periods elapsed since start_ns on CLOCK_MONOTONIC
 *    (epoll_pwait alone per tick).
 * Returns -1 with errno set on failure, EINTR included: the caller retries,
 * so that Python-level signal handlers get to run. */
int wait_and_count_ticks(struct tick_wait *w)
{
    struct epoll_event events[TICK_WAIT_MAX_EVENTS];
    for (;;) {
        int timeout_ms = -1;
        if (w->timerfd < 0) {
            int64_t due = w->start_ns + (int64_t)(w->scheduled + 1) * w->interval_ns;
            int64_t left = due - monotonic_ns();
            /* Rounded up, so the wait never ends before the tick is due. */
            timeout_ms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
        }
        int ready = epoll_pwait(w->epfd, events, TICK_WAIT_MAX_EVENTS, timeout_ms, NULL);
        if (ready < 0)
            return -1;
        int kept = 0;
        for (int i = 0; i < ready; i++) {
            if (w->timerfd >= 0 && events[i].data.fd == w->timerfd) {
                uint64_t expirations;
                if (read(w->timerfd, &expirations, sizeof expirations) == sizeof expirations)
                    w->ticks += expirations;
                else if (errno != EAGAIN)
                    return -1;
            } else {
                w->ready[kept++] = events[i].data.fd;
            }
        }
        if (w->timerfd < 0) {
            uint64_t elapsed = (uint64_t)((monotonic_ns() - w->start_ns) / w->interval_ns);
            if (elapsed > w->scheduled) {
                w->ticks += elapsed - w->scheduled;
                w->scheduled = elapsed;
            }
        }
        if (kept > 0)
            return kept;
    }
}
