#define _GNU_SOURCE
#include "CSystem.h"

#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

const uint32_t sg_epollin = EPOLLIN, sg_epollout = EPOLLOUT, sg_epollrdhup = EPOLLRDHUP, sg_epollhup = EPOLLHUP,
               sg_epollerr = EPOLLERR, sg_epollet = EPOLLET, sg_epollexclusive = EPOLLEXCLUSIVE;

int sg_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int sg_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event = {.events = events, .data = {.u64 = data}};
    int ops[] = {EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
    if (op < 0 || op > 2) return -1;
    return epoll_ctl(epfd, ops[op], fd, &event);
}

int sg_epoll_wait(int epfd, uint32_t *events, uint64_t *datas, int max, int timeout_ms) {
    struct epoll_event ready[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, ready, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        events[i] = ready[i].events;
        datas[i] = ready[i].data.u64;
    }
    return n;
}

int sg_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void sg_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
}

void sg_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t ignored = read(fd, &value, sizeof value);
    (void)ignored;
}

int sg_thread_idle_priority(void) {
    struct sched_param param = {.sched_priority = 0};
    return sched_setscheduler(0, SCHED_IDLE, &param);
}

int sg_thread_nice(int nice) { return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice); }

int sg_accept(int listener) { return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

long sg_raise_nofile_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        struct rlimit raised = {.rlim_cur = limit.rlim_max, .rlim_max = limit.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? (long)1 << 30 : (long)limit.rlim_cur;
}

int sg_malloc_trim(void) { return malloc_trim(0); }

int sg_affinity_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

size_t sg_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
