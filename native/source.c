/* The C side of sigcounter._native: only the headers. Every function in
 * cdef.h is a plain libc wrapper around one system call (or a sigset helper),
 * so cffi can call it directly with no C code of our own in between. */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
