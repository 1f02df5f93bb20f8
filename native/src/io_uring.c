/*
 * io_uring through liburing 2.3. Binds org.m13.sys.IoUring.
 *
 * One ring with one provided buffer ring (group 0): bufferCount buffers of
 * bufferSize bytes in one region that Java sees as off-heap memory; buffer `bid`
 * starts at bid * bufferSize. liburing 2.3 has no io_uring_setup_buf_ring, so the
 * ring is mmapped here and registered with io_uring_register_buf_ring.
 *
 * Preparing calls queue an SQE and return 0, or -EBUSY when the SQ is full;
 * submit() hands them to the kernel. complete() copies up to `max` CQEs
 * (user_data, res, flags) into Java arrays without waiting: one JNI call per batch,
 * no allocation. With IORING_SETUP_SINGLE_ISSUER only the creating thread may
 * submit (others get -EEXIST): one dedicated thread owns a ring.
 */
#include "m13_jni.h"

#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BUFFER_GROUP 0
#define MAX_BATCH 1024
/* user_data of the cancel request queued by close. */
#define CANCEL_USER_DATA 0xFFFFFFFFFFFFFFFFull

/*
 * Multishot read (kernel 6.7+) postdates liburing 2.3's headers and has no helper
 * there: the opcode is the kernel's, prepared by hand like liburing 2.5 does.
 */
#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49
#endif

/* Keep in sync with org.m13.sys.IoUring.Config. */
enum { FLAG_SQPOLL = 1, FLAG_SINGLE_ISSUER = 2 };

typedef struct {
    struct io_uring ring;
    int ring_ready;
    struct io_uring_buf_ring *buf_ring;
    size_t buf_ring_bytes;
    int buf_ring_registered;
    unsigned char *buffers;
    size_t buffers_bytes;
    unsigned buffer_count;
    unsigned buffer_size;
} uring;

static void free_uring(uring *u)
{
    if (u == NULL) {
        return;
    }
    if (u->buf_ring_registered) {
        (void)io_uring_unregister_buf_ring(&u->ring, BUFFER_GROUP);
    }
    if (u->ring_ready) {
        io_uring_queue_exit(&u->ring);
    }
    if (u->buf_ring != NULL) {
        munmap(u->buf_ring, u->buf_ring_bytes);
    }
    if (u->buffers != NULL) {
        munmap(u->buffers, u->buffers_bytes);
    }
    free(u);
}

static jlong uring_create(JNIEnv *env, jclass cls, jint entries, jint buffer_count, jint buffer_size,
                          jint flags, jint sq_thread_idle_ms)
{
    (void)cls;
    if (entries <= 0 || buffer_count <= 0 || buffer_count > 32768 || (buffer_count & (buffer_count - 1)) != 0
        || buffer_size <= 0) {
        m13_throw(env, "IoUring.create", "bad geometry (buffer count: a power of two up to 32768)");
        return 0;
    }
    uring *u = calloc(1, sizeof *u);
    if (u == NULL) {
        m13_throw_errno(env, "IoUring.create: calloc", ENOMEM);
        return 0;
    }
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    if (flags & FLAG_SQPOLL) {
        params.flags |= IORING_SETUP_SQPOLL;
        params.sq_thread_idle = (__u32)sq_thread_idle_ms;
    }
    if (flags & FLAG_SINGLE_ISSUER) {
        params.flags |= IORING_SETUP_SINGLE_ISSUER;
    }
    int rc = io_uring_queue_init_params((unsigned)entries, &u->ring, &params);
    if (rc < 0) {
        free_uring(u);
        m13_throw_errno(env, "io_uring_queue_init_params", -rc);
        return 0;
    }
    u->ring_ready = 1;
    u->buffer_count = (unsigned)buffer_count;
    u->buffer_size = (unsigned)buffer_size;
    u->buf_ring_bytes = (size_t)buffer_count * sizeof(struct io_uring_buf);
    void *br = mmap(NULL, u->buf_ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br == MAP_FAILED) {
        int err = errno;
        free_uring(u);
        m13_throw_errno(env, "mmap(buffer ring)", err);
        return 0;
    }
    u->buf_ring = br;
    u->buffers_bytes = (size_t)buffer_count * (size_t)buffer_size;
    void *buffers = mmap(NULL, u->buffers_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffers == MAP_FAILED) {
        int err = errno;
        free_uring(u);
        m13_throw_errno(env, "mmap(buffers)", err);
        return 0;
    }
    u->buffers = buffers;
    io_uring_buf_ring_init(u->buf_ring);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (__u64)(uintptr_t)u->buf_ring;
    reg.ring_entries = (__u32)buffer_count;
    reg.bgid = BUFFER_GROUP;
    rc = io_uring_register_buf_ring(&u->ring, &reg, 0);
    if (rc < 0) {
        free_uring(u);
        m13_throw_errno(env, "io_uring_register_buf_ring", -rc);
        return 0;
    }
    u->buf_ring_registered = 1;
    int mask = io_uring_buf_ring_mask((__u32)buffer_count);
    for (int i = 0; i < buffer_count; i++) {
        io_uring_buf_ring_add(u->buf_ring, u->buffers + (size_t)i * u->buffer_size, u->buffer_size,
                              (unsigned short)i, mask, i);
    }
    io_uring_buf_ring_advance(u->buf_ring, buffer_count);
    return (jlong)(uintptr_t)u;
}

static jobject uring_buffers(JNIEnv *env, jclass cls, jlong handle)
{
    (void)cls;
    uring *u = (uring *)(uintptr_t)handle;
    return (*env)->NewDirectByteBuffer(env, u->buffers, (jlong)u->buffers_bytes);
}

static struct io_uring_sqe *next_sqe(jlong handle)
{
    uring *u = (uring *)(uintptr_t)handle;
    return u == NULL ? NULL : io_uring_get_sqe(&u->ring);
}

static jint uring_recv_multishot(JNIEnv *env, jclass cls, jlong handle, jint fd, jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUFFER_GROUP;
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

/* A read into a provided buffer (TUN packets): the CQE names the buffer. */
static jint uring_read_provided(JNIEnv *env, jclass cls, jlong handle, jint fd, jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    uring *u = (uring *)(uintptr_t)handle;
    io_uring_prep_read(sqe, fd, NULL, u->buffer_size, (__u64)-1);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUFFER_GROUP;
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

/* Arms a multishot read (TUN packets) into provided buffers: one completion per packet. */
static jint uring_read_multishot(JNIEnv *env, jclass cls, jlong handle, jint fd, jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUFFER_GROUP;
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

static jint uring_write(JNIEnv *env, jclass cls, jlong handle, jint fd, jlong address, jint length,
                        jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    io_uring_prep_write(sqe, fd, (const void *)(uintptr_t)address, (unsigned)length, (__u64)-1);
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

/* A read of up to `length` bytes into a native address (an eventfd's counter): no provided buffer. */
static jint uring_read(JNIEnv *env, jclass cls, jlong handle, jint fd, jlong address, jint length,
                       jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    io_uring_prep_read(sqe, fd, (void *)(uintptr_t)address, (unsigned)length, (__u64)-1);
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

static jint uring_send(JNIEnv *env, jclass cls, jlong handle, jint fd, jlong address, jint length,
                       jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    io_uring_prep_send(sqe, fd, (const void *)(uintptr_t)address, (size_t)length, 0);
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

static jint uring_cancel(JNIEnv *env, jclass cls, jlong handle, jlong target, jlong user_data)
{
    (void)env;
    (void)cls;
    struct io_uring_sqe *sqe = next_sqe(handle);
    if (sqe == NULL) {
        return handle == 0 ? -EBADF : -EBUSY;
    }
    io_uring_prep_cancel64(sqe, (__u64)target, 0);
    io_uring_sqe_set_data64(sqe, (__u64)user_data);
    return 0;
}

static jint uring_submit(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    uring *u = (uring *)(uintptr_t)handle;
    if (u == NULL) {
        return -EBADF;
    }
    return io_uring_submit(&u->ring);
}

/* Waits up to timeout_ms for at least one CQE: 1 when one is ready, 0 on timeout, or -errno. */
static jint uring_await(JNIEnv *env, jclass cls, jlong handle, jint timeout_ms)
{
    (void)env;
    (void)cls;
    uring *u = (uring *)(uintptr_t)handle;
    if (u == NULL) {
        return -EBADF;
    }
    struct io_uring_cqe *cqe = NULL;
    struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long long)(timeout_ms % 1000) * 1000000};
    int rc = io_uring_wait_cqe_timeout(&u->ring, &cqe, timeout_ms < 0 ? NULL : &ts);
    if (rc == -ETIME || rc == -EINTR) {
        return 0;
    }
    return rc < 0 ? rc : 1;
}

static jint uring_complete(JNIEnv *env, jclass cls, jlong handle, jlongArray user_data, jintArray results,
                           jintArray flags, jint max)
{
    (void)cls;
    uring *u = (uring *)(uintptr_t)handle;
    if (u == NULL) {
        return -EBADF;
    }
    if (max > MAX_BATCH) {
        max = MAX_BATCH;
    }
    if (max <= 0) {
        return 0;
    }
    struct io_uring_cqe *cqes[MAX_BATCH];
    unsigned n = io_uring_peek_batch_cqe(&u->ring, cqes, (unsigned)max);
    if (n == 0) {
        return 0;
    }
    jlong d[MAX_BATCH];
    jint r[MAX_BATCH];
    jint f[MAX_BATCH];
    for (unsigned i = 0; i < n; i++) {
        d[i] = (jlong)cqes[i]->user_data;
        r[i] = cqes[i]->res;
        f[i] = (jint)cqes[i]->flags;
    }
    io_uring_cq_advance(&u->ring, n);
    (*env)->SetLongArrayRegion(env, user_data, 0, (jsize)n, d);
    (*env)->SetIntArrayRegion(env, results, 0, (jsize)n, r);
    (*env)->SetIntArrayRegion(env, flags, 0, (jsize)n, f);
    return (jint)n;
}

/* Gives buffers back to the buffer ring; returns how many. */
static jint uring_recycle(JNIEnv *env, jclass cls, jlong handle, jintArray ids, jint count)
{
    (void)cls;
    uring *u = (uring *)(uintptr_t)handle;
    if (u == NULL) {
        return -EBADF;
    }
    if (count > MAX_BATCH) {
        count = MAX_BATCH;
    }
    if (count <= 0) {
        return 0;
    }
    jint b[MAX_BATCH];
    (*env)->GetIntArrayRegion(env, ids, 0, count, b);
    int mask = io_uring_buf_ring_mask(u->buffer_count);
    for (int i = 0; i < count; i++) {
        if (b[i] < 0 || (unsigned)b[i] >= u->buffer_count) {
            return -EINVAL;
        }
    }
    for (int i = 0; i < count; i++) {
        io_uring_buf_ring_add(u->buf_ring, u->buffers + (size_t)b[i] * u->buffer_size, u->buffer_size,
                              (unsigned short)b[i], mask, i);
    }
    io_uring_buf_ring_advance(u->buf_ring, count);
    return count;
}

/*
 * Cancels every request in flight (armed multishot receives included) and reaps
 * the completions for up to timeout_ms, so that sockets and TUN devices are
 * released at once rather than by the ring's deferred teardown. Returns the number
 * of completions reaped, or -errno (-EEXIST from a thread that is not the issuer).
 */
static jint uring_cancel_all(JNIEnv *env, jclass cls, jlong handle, jint timeout_ms)
{
    (void)env;
    (void)cls;
    uring *u = (uring *)(uintptr_t)handle;
    if (u == NULL) {
        return -EBADF;
    }
    struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
    if (sqe == NULL) {
        int rc = io_uring_submit(&u->ring);
        if (rc < 0) {
            return rc;
        }
        sqe = io_uring_get_sqe(&u->ring);
        if (sqe == NULL) {
            return -EBUSY;
        }
    }
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(sqe, CANCEL_USER_DATA);
    int rc = io_uring_submit(&u->ring);
    if (rc < 0) {
        return rc;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long deadline = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 + timeout_ms;
    int reaped = 0;
    int cancelled = 0;
    while (!cancelled) {
        struct io_uring_cqe *cqe = NULL;
        struct __kernel_timespec slice = {.tv_sec = 0, .tv_nsec = 10 * 1000000};
        rc = io_uring_wait_cqe_timeout(&u->ring, &cqe, &slice);
        if (rc == 0) {
            cancelled = cqe->user_data == CANCEL_USER_DATA;
            io_uring_cqe_seen(&u->ring, cqe);
            reaped++;
            continue;
        }
        if (rc != -ETIME && rc != -EINTR) {
            return rc;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 >= deadline) {
            return -ETIME;
        }
    }
    struct io_uring_cqe *cqe = NULL;
    while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
        io_uring_cqe_seen(&u->ring, cqe);
        reaped++;
    }
    return reaped;
}

static void uring_close(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    free_uring((uring *)(uintptr_t)handle);
}

static const JNINativeMethod io_uring_methods[] = {
    {"create0", "(IIIII)J", (void *)uring_create},
    {"buffers0", "(J)Ljava/nio/ByteBuffer;", (void *)uring_buffers},
    {"recvMultishot0", "(JIJ)I", (void *)uring_recv_multishot},
    {"readProvided0", "(JIJ)I", (void *)uring_read_provided},
    {"readMultishot0", "(JIJ)I", (void *)uring_read_multishot},
    {"write0", "(JIJIJ)I", (void *)uring_write},
    {"read0", "(JIJIJ)I", (void *)uring_read},
    {"send0", "(JIJIJ)I", (void *)uring_send},
    {"cancel0", "(JJJ)I", (void *)uring_cancel},
    {"submit0", "(J)I", (void *)uring_submit},
    {"await0", "(JI)I", (void *)uring_await},
    {"complete0", "(J[J[I[II)I", (void *)uring_complete},
    {"recycle0", "(J[II)I", (void *)uring_recycle},
    {"cancelAll0", "(JI)I", (void *)uring_cancel_all},
    {"close0", "(J)V", (void *)uring_close},
};

jint m13_register_io_uring(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/IoUring", io_uring_methods, M13_COUNT(io_uring_methods));
}
