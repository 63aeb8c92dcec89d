#ifndef SCALEGUARD_CSYSTEM_H
#define SCALEGUARD_CSYSTEM_H

#include <stddef.h>
#include <stdint.h>

/* Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE), wrapped as plain functions. */

/* epoll: the event flags as plain integers. */
extern const uint32_t sg_epollin, sg_epollout, sg_epollrdhup, sg_epollhup, sg_epollerr, sg_epollet, sg_epollexclusive;

int sg_epoll_create(void);
/* op: 0 add, 1 modify, 2 delete. */
int sg_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/* Waits up to timeout_ms (-1 forever); fills events[i] and datas[i] for the ready descriptors. */
int sg_epoll_wait(int epfd, uint32_t *events, uint64_t *datas, int max, int timeout_ms);

/* An eventfd (non-blocking, close-on-exec) that wakes a loop; signal adds 1, drain reads it back to 0. */
int sg_eventfd(void);
void sg_eventfd_signal(int fd);
void sg_eventfd_drain(int fd);

/* accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; -1 with errno on failure. */
int sg_accept(int listener);

/* The calling thread runs only when nothing else wants its core (SCHED_IDLE): for audits, which must never
   delay an admission. Returns 0 on success. */
int sg_thread_idle_priority(void);
/* Lowers the calling thread's priority by `nice` steps (threads have their own nice value on Linux). */
int sg_thread_nice(int nice);

/* The open-file limit: raises the soft limit to the hard one where allowed, returns the soft limit in force. */
long sg_raise_nofile_limit(void);

/* How many CPUs the calling thread may run on (sched_getaffinity), or -1. */
int sg_affinity_cpus(void);

/* Returns freed heap memory to the system (glibc malloc_trim), for honest memory figures. */
int sg_malloc_trim(void);
/* Bytes the heap holds for live allocations (glibc mallinfo2: in use plus mmapped). */
size_t sg_heap_in_use(void);

#endif
