/*
 * heap-peak: an LD_PRELOAD malloc interposer that measures a process's peak heap.
 *
 * It wraps glibc's allocator (malloc, calloc, realloc, reallocarray, free, memalign,
 * posix_memalign, aligned_alloc, valloc, pvalloc: every entry point a Swift program or LMDB
 * reaches), forwarding each call to glibc's own implementation (__libc_malloc ...), and keeps:
 *   - live bytes: the sum of malloc_usable_size() of every block allocated and not yet freed
 *     (the request rounded up to glibc's chunk size: at least 24 bytes, then steps of 16 on
 *     x86-64; what the block really occupies, a few bytes above what was asked for);
 *   - the peak of live bytes over the process's life;
 *   - the number of allocations (malloc, calloc, the memalign family, and realloc calls that
 *     allocate a new block).
 * At exit (a destructor, so exit() and a return from main both report; _exit and signals do
 * not) it writes three "name value" lines to the file named by HEAP_PEAK_OUTPUT (appended, so
 * that several processes can share one file), or to stderr when that is unset:
 *
 *   heap_peak_bytes 187654321
 *   heap_final_bytes 1234567
 *   heap_allocations 54000123
 *
 * What it does not count: memory mapped outside malloc (LMDB's memory-mapped data file, thread
 * stacks, the binary's own pages) and memory glibc keeps after free() (fragmentation, arenas
 * not returned to the system). Peak RSS (/usr/bin/time) covers those; this is the heap the
 * program itself holds at its worst moment, which is what "peak heap" means in massif and
 * heaptrack, and it agrees with heaptrack's "peak heap memory consumption" (see
 * docs/performance.md, "How to measure").
 *
 * Cost: two relaxed atomic additions and a malloc_usable_size per call, a compare-and-swap
 * only when a new peak is reached. Measure time without it.
 *
 * Build: gcc -O2 -shared -fPIC -o heap-peak.so heap-peak.c (tools/bench-ratios.sh does).
 * Use:   HEAP_PEAK_OUTPUT=/tmp/heap.txt LD_PRELOAD=/path/heap-peak.so arlog ingest ...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own allocator, exported under these names precisely so that an interposer can
 * forward to it without dlsym (which itself allocates). */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static _Atomic int64_t live;
static _Atomic int64_t peak;
static _Atomic uint64_t allocations;

static inline void grew(void *p) {
    if (!p) return;
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    int64_t size = (int64_t)malloc_usable_size(p);
    int64_t now = atomic_fetch_add_explicit(&live, size, memory_order_relaxed) + size;
    int64_t seen = atomic_load_explicit(&peak, memory_order_relaxed);
    while (now > seen && !atomic_compare_exchange_weak_explicit(&peak, &seen, now, memory_order_relaxed, memory_order_relaxed)) {}
}

static inline void shrank(void *p) {
    if (p) atomic_fetch_sub_explicit(&live, (int64_t)malloc_usable_size(p), memory_order_relaxed);
}

void *malloc(size_t n) {
    void *p = __libc_malloc(n);
    grew(p);
    return p;
}

void *calloc(size_t count, size_t n) {
    void *p = __libc_calloc(count, n);
    grew(p);
    return p;
}

void free(void *p) {
    shrank(p);
    __libc_free(p);
}

void *realloc(void *old, size_t n) {
    if (!old) return malloc(n);
    if (n == 0) {
        free(old);
        return NULL;
    }
    /* The old block's size must be read before realloc may free it. */
    int64_t before = (int64_t)malloc_usable_size(old);
    void *p = __libc_realloc(old, n);
    if (!p) return NULL; /* the old block is untouched */
    int64_t delta = (int64_t)malloc_usable_size(p) - before;
    int64_t now = atomic_fetch_add_explicit(&live, delta, memory_order_relaxed) + delta;
    if (p != old) atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    int64_t seen = atomic_load_explicit(&peak, memory_order_relaxed);
    while (now > seen && !atomic_compare_exchange_weak_explicit(&peak, &seen, now, memory_order_relaxed, memory_order_relaxed)) {}
    return p;
}

/* glibc's own reallocarray calls realloc through the PLT (so this one would be reached anyway);
 * defined here too so that the accounting never depends on that. */
void *reallocarray(void *old, size_t count, size_t n) {
    size_t bytes;
    if (__builtin_mul_overflow(count, n, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, bytes);
}

void *memalign(size_t alignment, size_t n) {
    void *p = __libc_memalign(alignment, n);
    grew(p);
    return p;
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    /* posix_memalign's own checks: a power of two, a multiple of sizeof(void *). */
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void *p = __libc_memalign(alignment, n);
    if (!p) return ENOMEM;
    grew(p);
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t n) {
    void *p = __libc_memalign(alignment, n);
    grew(p);
    return p;
}

void *valloc(size_t n) {
    void *p = __libc_memalign((size_t)sysconf(_SC_PAGESIZE), n);
    grew(p);
    return p;
}

void *pvalloc(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = (n + page - 1) / page * page;
    if (rounded < n) { errno = ENOMEM; return NULL; }
    void *p = __libc_memalign(page, rounded ? rounded : page);
    grew(p);
    return p;
}

__attribute__((destructor)) static void report(void) {
    char text[256];
    int len = snprintf(text, sizeof text, "heap_peak_bytes %lld\nheap_final_bytes %lld\nheap_allocations %llu\n",
                       (long long)atomic_load(&peak), (long long)atomic_load(&live), (unsigned long long)atomic_load(&allocations));
    if (len <= 0) return;
    const char *path = getenv("HEAP_PEAK_OUTPUT");
    int fd = 2;
    if (path && *path) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            /* Say so rather than lose the figure. */
            dprintf(2, "heap-peak: cannot open %s: %s; the figures follow\n", path, strerror(errno));
            fd = 2;
        }
    }
    ssize_t written = write(fd, text, (size_t)len);
    (void)written;
    if (fd != 2) close(fd);
}
