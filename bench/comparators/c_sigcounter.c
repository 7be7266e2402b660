/* The floor: sig-counter's design in C. signalfd + periodic timerfd + one
 * epoll_pwait loop, the same lines on stdout and the same ready line on
 * stderr. Usage: c_sigcounter [--interval SECONDS] */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "c_sigcounter: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void say(const char *line) {
    size_t length = strlen(line);
    if (write(STDOUT_FILENO, line, length) != (ssize_t)length) die("write");
}

int main(int argc, char **argv) {
    double seconds = 1.0;
    if (argc == 3 && strcmp(argv[1], "--interval") == 0) seconds = atof(argv[2]);
    long long interval_ns = (long long)(seconds * 1e9 + 0.5);
    if (interval_ns <= 0) { fprintf(stderr, "c_sigcounter: bad interval\n"); return 2; }

    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGUSR1);
    sigaddset(&handled, SIGUSR2);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    if (sigprocmask(SIG_BLOCK, &handled, NULL) == -1) die("sigprocmask");
    int sfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (sfd == -1 || tfd == -1 || epfd == -1) die("setup");
    struct epoll_event event = {.events = EPOLLIN, .data.fd = tfd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &event) == -1) die("epoll_ctl");
    event.data.fd = sfd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &event) == -1) die("epoll_ctl");
    struct itimerspec period = {
        .it_interval = {interval_ns / 1000000000, interval_ns % 1000000000},
        .it_value = {interval_ns / 1000000000, interval_ns % 1000000000},
    };
    if (timerfd_settime(tfd, 0, &period, NULL) == -1) die("timerfd_settime");
    fprintf(stderr, "c_sigcounter: pid %d ready\n", (int)getpid());

    uint64_t count = 0;
    struct epoll_event ready[4];
    for (;;) {
        int n = epoll_pwait(epfd, ready, 4, -1, NULL);
        if (n == -1) {
            if (errno == EINTR) continue;
            die("epoll_pwait");
        }
        int timer_ready = 0, signals_ready = 0;
        for (int i = 0; i < n; i++) {
            if (ready[i].data.fd == tfd) timer_ready = 1;
            else signals_ready = 1;
        }
        if (timer_ready) {  /* ticks first, as in sig-counter */
            uint64_t expirations;
            if (read(tfd, &expirations, sizeof expirations) == sizeof expirations)
                count += expirations;
        }
        if (!signals_ready) continue;
        struct signalfd_siginfo infos[16];
        ssize_t got = read(sfd, infos, sizeof infos);
        for (ssize_t i = 0; got > 0 && i < got / (ssize_t)sizeof infos[0]; i++) {
            char line[64];
            switch (infos[i].ssi_signo) {
            case SIGUSR1:
                snprintf(line, sizeof line, "Ticker count: %llu\n", (unsigned long long)count);
                say(line);
                break;
            case SIGUSR2:
                count = 0;
                say("Resetting ticker count to zero\n");
                break;
            case SIGTERM:
                say("received terminated \xe2\x80\x94 shutting down\n");
                return 0;
            case SIGINT:
                say("received interrupt \xe2\x80\x94 shutting down\n");
                return 0;
            }
        }
    }
}
