/*
 * eventfd: a counter another thread can bump to wake a thread parked in the kernel
 * (an io_uring reactor waiting for completions has an armed read on it).
 * Binds org.m13.sys.EventFd. Non-blocking: io_uring polls it rather than handing
 * the read to a worker thread. open() throws; signal() returns 0 or -errno.
 */
#include "m13_jni.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static jint efd_open(JNIEnv *env, jclass cls)
{
    (void)cls;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        m13_throw_errno(env, "eventfd", errno);
        return -1;
    }
    return fd;
}

/* Adds 1 to the counter: the armed read completes. 0, or -errno. */
static jint efd_signal(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno; /* EAGAIN: the counter is saturated, a read is due anyway */
    }
    return 0;
}

/* Reads and clears the counter: its value, 0 when it was 0, or -errno. */
static jlong efd_drain(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    uint64_t value = 0;
    ssize_t n = read(fd, &value, sizeof value);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return (jlong)value;
}

static void efd_close(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    if (fd >= 0) {
        close(fd);
    }
}

static const JNINativeMethod eventfd_methods[] = {
    {"open0", "()I", (void *)efd_open},
    {"signal0", "(I)I", (void *)efd_signal},
    {"drain0", "(I)J", (void *)efd_drain},
    {"close0", "(I)V", (void *)efd_close},
};

jint m13_register_eventfd(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/EventFd", eventfd_methods, M13_COUNT(eventfd_methods));
}
