/* Declarations that cross into Python, in cffi's cdef dialect: "..." lets the
 * C compiler fill in values and layouts, so nothing here guesses at an ABI. */

/* --- signal sets ------------------------------------------------------- */
typedef struct { ...; } sigset_t;   /* opaque: the compiler knows its size */
int sigemptyset(sigset_t *set);
int sigaddset(sigset_t *set, int signum);
int sigismember(const sigset_t *set, int signum);

/* --- signalfd(2) ------------------------------------------------------- */
#define SFD_CLOEXEC ...
#define SFD_NONBLOCK ...
struct signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t  ssi_errno;
    int32_t  ssi_code;
    uint32_t ssi_pid;
    uint32_t ssi_uid;
    int32_t  ssi_fd;
    uint32_t ssi_tid;
    uint32_t ssi_band;
    uint32_t ssi_overrun;
    uint32_t ssi_trapno;
    int32_t  ssi_status;
    int32_t  ssi_int;
    uint64_t ssi_ptr;
    uint64_t ssi_utime;
    uint64_t ssi_stime;
    uint64_t ssi_addr;
    ...;
};
int signalfd(int fd, const sigset_t *mask, int flags);

/* --- timerfd_create(2) ------------------------------------------------- */
#define CLOCK_REALTIME ...
#define CLOCK_MONOTONIC ...
#define CLOCK_BOOTTIME ...
#define TFD_CLOEXEC ...
#define TFD_NONBLOCK ...
#define TFD_TIMER_ABSTIME ...
struct timespec { long tv_sec; long tv_nsec; ...; };
struct itimerspec { struct timespec it_interval; struct timespec it_value; };
int timerfd_create(int clockid, int flags);
int timerfd_settime(int fd, int flags, const struct itimerspec *new_value,
                    struct itimerspec *old_value);
int timerfd_gettime(int fd, struct itimerspec *curr_value);

/* --- epoll(7) ---------------------------------------------------------- */
#define EPOLL_CLOEXEC ...
#define EPOLL_CTL_ADD ...
#define EPOLL_CTL_MOD ...
#define EPOLL_CTL_DEL ...
#define EPOLLIN ...
#define EPOLLOUT ...
#define EPOLLPRI ...
#define EPOLLERR ...
#define EPOLLHUP ...
#define EPOLLRDHUP ...
#define EPOLLET ...
#define EPOLLONESHOT ...
typedef union epoll_data {
    void *ptr;
    int fd;
    uint32_t u32;
    uint64_t u64;
} epoll_data_t;
/* Packed on x86-64, naturally aligned elsewhere: "...;" lets the compiler say. */
struct epoll_event { uint32_t events; epoll_data_t data; ...; };
int epoll_create1(int flags);
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
int epoll_pwait(int epfd, struct epoll_event *events, int maxevents,
                int timeout, const sigset_t *sigmask);
