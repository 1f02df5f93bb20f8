/*
 * AF_XDP sockets through libxdp's xsk API. Binds org.m13.sys.XdpSocket.
 *
 * One UMEM per socket, on 2 MB hugepages when the kernel has some reserved,
 * normal pages otherwise. libxdp's default program is never loaded
 * (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD): the socket is put into M13's own XSKMAP.
 * Zero-copy is tried first when allowed, then copy mode; need_wakeup is always
 * requested.
 *
 * Frames 0 .. rx_frames-1 start in the fill ring; the others belong to the Java
 * owner for transmission. Hot calls move descriptors between the rings and Java
 * arrays (addresses and lengths), one JNI call per batch; they return a count or
 * -errno and never throw. A socket's rings are used by one thread at a time.
 */
#include "m13_jni.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xdp/xsk.h>

#define HUGEPAGE_BYTES (2u * 1024 * 1024)
#define MAX_BATCH 256
#define BUSY_RETRIES 50
/* Enough sendto() kicks for a full batch at 32 frames per kick. */
#define MAX_KICKS (MAX_BATCH / 32 + 1)

/* Keep in sync with org.m13.sys.XdpSocket.BindMode. */
enum { BIND_AUTO = 0, BIND_COPY = 1, BIND_ZEROCOPY = 2 };

typedef struct {
    /* Zeroed by calloc before libxdp sees them (uninitialised rings misbehave). */
    struct xsk_ring_prod fill;
    struct xsk_ring_cons comp;
    struct xsk_ring_cons rx;
    struct xsk_ring_prod tx;
    struct xsk_umem *umem;
    struct xsk_socket *xsk;
    void *area;
    size_t area_bytes;
    int hugepages;
    int zerocopy;
    int fd;
} xdp_socket;

static void free_socket(xdp_socket *s)
{
    if (s == NULL) {
        return;
    }
    if (s->xsk != NULL) {
        xsk_socket__delete(s->xsk);
    }
    if (s->umem != NULL) {
        (void)xsk_umem__delete(s->umem);
    }
    if (s->area != NULL) {
        munmap(s->area, s->area_bytes);
    }
    free(s);
}

static int map_area(xdp_socket *s, size_t bytes, int try_hugepages)
{
    if (try_hugepages) {
        size_t rounded = (bytes + HUGEPAGE_BYTES - 1) / HUGEPAGE_BYTES * HUGEPAGE_BYTES;
        void *area = mmap(NULL, rounded, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
        if (area != MAP_FAILED) {
            s->area = area;
            s->area_bytes = rounded;
            s->hugepages = 1;
            return 0;
        }
    }
    void *area = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                      -1, 0);
    if (area == MAP_FAILED) {
        return -errno;
    }
    s->area = area;
    s->area_bytes = bytes;
    s->hugepages = 0;
    return 0;
}

static int create_socket(xdp_socket *s, const char *ifname, __u32 queue, __u32 frame_size,
                         __u32 ring_size, __u16 copy_flag)
{
    memset(&s->fill, 0, sizeof s->fill);
    memset(&s->comp, 0, sizeof s->comp);
    memset(&s->rx, 0, sizeof s->rx);
    memset(&s->tx, 0, sizeof s->tx);
    struct xsk_umem_config umem_config = {
        .fill_size = ring_size,
        .comp_size = ring_size,
        .frame_size = frame_size,
        .frame_headroom = 0,
        .flags = 0,
    };
    int rc = xsk_umem__create(&s->umem, s->area, s->area_bytes, &s->fill, &s->comp, &umem_config);
    if (rc != 0) {
        s->umem = NULL;
        return rc;
    }
    struct xsk_socket_config socket_config = {
        .rx_size = ring_size,
        .tx_size = ring_size,
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .xdp_flags = 0,
        .bind_flags = (__u16)(XDP_USE_NEED_WAKEUP | copy_flag),
    };
    rc = xsk_socket__create(&s->xsk, ifname, queue, s->umem, &s->rx, &s->tx, &socket_config);
    if (rc != 0) {
        s->xsk = NULL;
        (void)xsk_umem__delete(s->umem);
        s->umem = NULL;
        return rc;
    }
    return 0;
}

static jlong socket_open(JNIEnv *env, jclass cls, jstring ifname, jint queue, jint frame_count,
                         jint frame_size, jint rx_frames, jint ring_size, jint bind_mode,
                         jboolean try_hugepages, jint xsks_map_fd)
{
    (void)cls;
    if (frame_count <= 0 || frame_size <= 0 || rx_frames < 0 || rx_frames > frame_count
        || rx_frames > ring_size || ring_size <= 0 || (ring_size & (ring_size - 1)) != 0) {
        m13_throw(env, "XdpSocket.open", "bad geometry (ring size must be a power of two >= rx frames)");
        return 0;
    }
    xdp_socket *s = calloc(1, sizeof *s);
    if (s == NULL) {
        m13_throw_errno(env, "XdpSocket.open: calloc", ENOMEM);
        return 0;
    }
    int rc = map_area(s, (size_t)frame_count * (size_t)frame_size, try_hugepages);
    if (rc != 0) {
        free_socket(s);
        m13_throw_errno(env, "mmap(UMEM)", -rc);
        return 0;
    }
    const char *name = (*env)->GetStringUTFChars(env, ifname, NULL);
    if (name == NULL) {
        free_socket(s);
        return 0;
    }
    rc = -EINVAL;
    /*
     * The kernel releases a closed socket's hold on the queue from a work item, so
     * a socket reopened at once on the same queue can see EBUSY for a few
     * milliseconds: retry for up to BUSY_RETRIES * 10 ms before reporting it.
     */
    for (int attempt = 0; attempt <= BUSY_RETRIES; attempt++) {
        if (attempt > 0) {
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 10 * 1000000};
            nanosleep(&pause, NULL);
        }
        rc = -EINVAL;
        if (bind_mode == BIND_AUTO || bind_mode == BIND_ZEROCOPY) {
            rc = create_socket(s, name, (__u32)queue, (__u32)frame_size, (__u32)ring_size, XDP_ZEROCOPY);
            s->zerocopy = 1;
        }
        if (rc != 0 && rc != -EBUSY && (bind_mode == BIND_AUTO || bind_mode == BIND_COPY)) {
            rc = create_socket(s, name, (__u32)queue, (__u32)frame_size, (__u32)ring_size, XDP_COPY);
            s->zerocopy = 0;
        }
        if (rc != -EBUSY) {
            break;
        }
    }
    char operation[96];
    snprintf(operation, sizeof operation, "xsk_socket__create(%s, queue %d, %s)", name, queue,
             bind_mode == BIND_COPY ? "copy" : bind_mode == BIND_ZEROCOPY ? "zero-copy" : "zero-copy, then copy");
    (*env)->ReleaseStringUTFChars(env, ifname, name);
    if (rc != 0) {
        free_socket(s);
        m13_throw_errno(env, operation, -rc);
        return 0;
    }
    s->fd = xsk_socket__fd(s->xsk);
    if (xsks_map_fd >= 0) {
        rc = xsk_socket__update_xskmap(s->xsk, xsks_map_fd);
        if (rc != 0) {
            free_socket(s);
            m13_throw_errno(env, "xsk_socket__update_xskmap", rc < 0 ? -rc : errno);
            return 0;
        }
    }
    __u32 index = 0;
    if (rx_frames > 0) {
        if (xsk_ring_prod__reserve(&s->fill, (__u32)rx_frames, &index) != (__u32)rx_frames) {
            free_socket(s);
            m13_throw(env, "XdpSocket.open", "fill ring smaller than the RX frames");
            return 0;
        }
        for (__u32 i = 0; i < (__u32)rx_frames; i++) {
            *xsk_ring_prod__fill_addr(&s->fill, index + i) = (__u64)i * (__u64)frame_size;
        }
        xsk_ring_prod__submit(&s->fill, (__u32)rx_frames);
    }
    return (jlong)(uintptr_t)s;
}

static jobject socket_umem(JNIEnv *env, jclass cls, jlong handle)
{
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    return (*env)->NewDirectByteBuffer(env, s->area, (jlong)s->area_bytes);
}

/* Bit 0: hugepages; bit 1: zero-copy. */
static jint socket_properties(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    return (s->hugepages ? 1 : 0) | (s->zerocopy ? 2 : 0);
}

static jint socket_fd(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    return ((xdp_socket *)(uintptr_t)handle)->fd;
}

static int clamp_batch(jint n)
{
    if (n < 0) {
        return 0;
    }
    return n > MAX_BATCH ? MAX_BATCH : n;
}

static jint socket_receive(JNIEnv *env, jclass cls, jlong handle, jlongArray addrs, jintArray lens, jint max)
{
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    if (s == NULL) {
        return -EBADF; /* closed */
    }
    __u32 index = 0;
    __u32 n = xsk_ring_cons__peek(&s->rx, (__u32)clamp_batch(max), &index);
    if (n == 0) {
        if (xsk_ring_prod__needs_wakeup(&s->fill)) {
            if (recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno != EAGAIN
                && errno != EBUSY && errno != ENOBUFS) {
                return -errno;
            }
        }
        return 0;
    }
    jlong a[MAX_BATCH];
    jint l[MAX_BATCH];
    for (__u32 i = 0; i < n; i++) {
        const struct xdp_desc *desc = xsk_ring_cons__rx_desc(&s->rx, index + i);
        a[i] = (jlong)desc->addr;
        l[i] = (jint)desc->len;
    }
    xsk_ring_cons__release(&s->rx, n);
    (*env)->SetLongArrayRegion(env, addrs, 0, (jsize)n, a);
    (*env)->SetIntArrayRegion(env, lens, 0, (jsize)n, l);
    return (jint)n;
}

static jint socket_fill(JNIEnv *env, jclass cls, jlong handle, jlongArray addrs, jint count)
{
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    if (s == NULL) {
        return -EBADF; /* closed */
    }
    __u32 n = xsk_prod_nb_free(&s->fill, (__u32)clamp_batch(count));
    if (n > (__u32)clamp_batch(count)) {
        n = (__u32)clamp_batch(count);
    }
    if (n == 0) {
        return 0;
    }
    jlong a[MAX_BATCH];
    (*env)->GetLongArrayRegion(env, addrs, 0, (jsize)n, a);
    __u32 index = 0;
    (void)xsk_ring_prod__reserve(&s->fill, n, &index);
    for (__u32 i = 0; i < n; i++) {
        *xsk_ring_prod__fill_addr(&s->fill, index + i) = (__u64)a[i];
    }
    xsk_ring_prod__submit(&s->fill, n);
    return (jint)n;
}

/*
 * Copy mode transmits only from sendto(), at most 32 frames per call (the kernel
 * says EAGAIN while more wait); zero-copy drivers ask through need_wakeup.
 */
static int kick_tx(xdp_socket *s)
{
    if (s->zerocopy && !xsk_ring_prod__needs_wakeup(&s->tx)) {
        return 0;
    }
    for (int i = 0; i < MAX_KICKS; i++) {
        if (sendto(s->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0) {
            return 0;
        }
        if (errno != EAGAIN) {
            return errno == EBUSY || errno == ENOBUFS ? 0 : -errno;
        }
    }
    return 0;
}

/* Whether the TX ring holds frames the kernel has not consumed yet. */
static int tx_pending(const xdp_socket *s)
{
    return __atomic_load_n(s->tx.consumer, __ATOMIC_ACQUIRE) != *s->tx.producer;
}

static jint socket_transmit(JNIEnv *env, jclass cls, jlong handle, jlongArray addrs, jintArray lens,
                            jint count)
{
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    if (s == NULL) {
        return -EBADF; /* closed */
    }
    __u32 n = xsk_prod_nb_free(&s->tx, (__u32)clamp_batch(count));
    if (n > (__u32)clamp_batch(count)) {
        n = (__u32)clamp_batch(count);
    }
    if (n > 0) {
        jlong a[MAX_BATCH];
        jint l[MAX_BATCH];
        (*env)->GetLongArrayRegion(env, addrs, 0, (jsize)n, a);
        (*env)->GetIntArrayRegion(env, lens, 0, (jsize)n, l);
        __u32 index = 0;
        (void)xsk_ring_prod__reserve(&s->tx, n, &index);
        for (__u32 i = 0; i < n; i++) {
            struct xdp_desc *desc = xsk_ring_prod__tx_desc(&s->tx, index + i);
            desc->addr = (__u64)a[i];
            desc->len = (__u32)l[i];
            desc->options = 0;
        }
        xsk_ring_prod__submit(&s->tx, n);
    }
    int rc = kick_tx(s);
    if (rc < 0 && n == 0) {
        return rc;
    }
    /* Staged frames are the caller's answer even when the kick failed: they are in the
     * ring and come back through the completion ring (complete() kicks again). */
    return (jint)n;
}

static jint socket_complete(JNIEnv *env, jclass cls, jlong handle, jlongArray addrs, jint max)
{
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    if (s == NULL) {
        return -EBADF; /* closed */
    }
    __u32 index = 0;
    if (!s->zerocopy && tx_pending(s)) {
        int rc = kick_tx(s); /* frames left behind by an earlier kick */
        if (rc < 0) {
            return rc;
        }
    }
    __u32 n = xsk_ring_cons__peek(&s->comp, (__u32)clamp_batch(max), &index);
    if (n == 0) {
        return 0;
    }
    jlong a[MAX_BATCH];
    for (__u32 i = 0; i < n; i++) {
        a[i] = (jlong)*xsk_ring_cons__comp_addr(&s->comp, index + i);
    }
    xsk_ring_cons__release(&s->comp, n);
    (*env)->SetLongArrayRegion(env, addrs, 0, (jsize)n, a);
    return (jint)n;
}

static jint socket_poll(JNIEnv *env, jclass cls, jlong handle, jint events, jint timeout_ms)
{
    (void)env;
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    if (s == NULL) {
        return -EBADF; /* closed */
    }
    struct pollfd pfd = {.fd = s->fd, .events = (short)events, .revents = 0};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
        return -errno;
    }
    return n == 0 ? 0 : (jint)(unsigned short)pfd.revents;
}

/*
 * Waits up to timeout_ms for any of count (<= 31) descriptors to be readable: bit i set
 * when fds[i] is readable or in error, 0 on timeout, or -errno. Negative descriptors
 * (closed owners) are ignored, as poll(2) does.
 */
static jint socket_poll_readable(JNIEnv *env, jclass cls, jintArray fds, jint count, jint timeout_ms)
{
    (void)cls;
    if (count < 0 || count > 31 || count > (*env)->GetArrayLength(env, fds)) {
        return -EINVAL;
    }
    jint raw[31];
    (*env)->GetIntArrayRegion(env, fds, 0, count, raw);
    struct pollfd pfd[31];
    for (jint i = 0; i < count; i++) {
        pfd[i].fd = raw[i];
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
    }
    int n = poll(pfd, (nfds_t)count, timeout_ms);
    if (n < 0) {
        return errno == EINTR ? 0 : -errno;
    }
    jint ready = 0;
    for (jint i = 0; i < count; i++) {
        if (pfd[i].revents != 0) {
            ready |= (jint)(1u << i);
        }
    }
    return ready;
}

/* out: rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs,
 * tx_ring_empty_descs. */
static void socket_statistics(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
    (void)cls;
    xdp_socket *s = (xdp_socket *)(uintptr_t)handle;
    struct xdp_statistics stats;
    memset(&stats, 0, sizeof stats);
    socklen_t length = sizeof stats;
    if (getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, &stats, &length) != 0) {
        m13_throw_errno(env, "getsockopt(XDP_STATISTICS)", errno);
        return;
    }
    jlong values[6] = {
        (jlong)stats.rx_dropped, (jlong)stats.rx_invalid_descs, (jlong)stats.tx_invalid_descs,
        (jlong)stats.rx_ring_full, (jlong)stats.rx_fill_ring_empty_descs, (jlong)stats.tx_ring_empty_descs,
    };
    (*env)->SetLongArrayRegion(env, out, 0, 6, values);
}

static void socket_close(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    free_socket((xdp_socket *)(uintptr_t)handle);
}

static const JNINativeMethod xdp_socket_methods[] = {
    {"open0", "(Ljava/lang/String;IIIIIIZI)J", (void *)socket_open},
    {"umem0", "(J)Ljava/nio/ByteBuffer;", (void *)socket_umem},
    {"properties0", "(J)I", (void *)socket_properties},
    {"fd0", "(J)I", (void *)socket_fd},
    {"receive0", "(J[J[II)I", (void *)socket_receive},
    {"fill0", "(J[JI)I", (void *)socket_fill},
    {"transmit0", "(J[J[II)I", (void *)socket_transmit},
    {"complete0", "(J[JI)I", (void *)socket_complete},
    {"poll0", "(JII)I", (void *)socket_poll},
    {"pollReadable0", "([III)I", (void *)socket_poll_readable},
    {"statistics0", "(J[J)V", (void *)socket_statistics},
    {"close0", "(J)V", (void *)socket_close},
};

jint m13_register_xdp_socket(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/XdpSocket", xdp_socket_methods, M13_COUNT(xdp_socket_methods));
}
