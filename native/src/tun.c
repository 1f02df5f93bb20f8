/*
 * TUN devices (IFF_TUN | IFF_NO_PI): raw IP packets, one per read or write.
 * Binds org.m13.sys.Tun.
 *
 * Cold calls (open, MTU, flags) throw with the errno text. Hot calls (read, write,
 * poll) return a count, 0 for "would block" or "timed out", or -errno.
 * Interface ioctls go through a control socket opened next to the device, so they
 * act in the device's network namespace whatever thread calls them later.
 */
#include "m13_jni.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Copies a Java interface name into ifr_name; throws and returns -1 when unusable. */
static int ifname_from_java(JNIEnv *env, jstring name, char out[IFNAMSIZ], const char *operation)
{
    if (name == NULL) {
        memset(out, 0, IFNAMSIZ);
        return 0;
    }
    const char *chars = (*env)->GetStringUTFChars(env, name, NULL);
    if (chars == NULL) {
        return -1;
    }
    size_t length = strlen(chars);
    if (length >= IFNAMSIZ) {
        (*env)->ReleaseStringUTFChars(env, name, chars);
        m13_throw_errno(env, operation, ENAMETOOLONG);
        return -1;
    }
    memset(out, 0, IFNAMSIZ);
    memcpy(out, chars, length);
    (*env)->ReleaseStringUTFChars(env, name, chars);
    return 0;
}

static jint tun_open(JNIEnv *env, jclass cls, jstring name)
{
    (void)cls;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ifname_from_java(env, name, ifr.ifr_name, "TUNSETIFF") != 0) {
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        m13_throw_errno(env, "open(/dev/net/tun)", errno);
        return -1;
    }
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        int err = errno;
        close(fd);
        char operation[64];
        snprintf(operation, sizeof operation, "TUNSETIFF(%s)", ifr.ifr_name);
        m13_throw_errno(env, operation, err);
        return -1;
    }
    return fd;
}

static jstring tun_name(JNIEnv *env, jclass cls, jint fd)
{
    (void)cls;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ioctl(fd, TUNGETIFF, &ifr) != 0) {
        m13_throw_errno(env, "TUNGETIFF", errno);
        return NULL;
    }
    ifr.ifr_name[IFNAMSIZ - 1] = '\0';
    return (*env)->NewStringUTF(env, ifr.ifr_name);
}

static jint tun_control_socket(JNIEnv *env, jclass cls)
{
    (void)cls;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        m13_throw_errno(env, "socket(AF_INET, SOCK_DGRAM)", errno);
    }
    return fd;
}

static int ifreq_call(JNIEnv *env, int ctl, jstring name, unsigned long request, struct ifreq *ifr,
                      const char *operation)
{
    if (ifname_from_java(env, name, ifr->ifr_name, operation) != 0) {
        return -1;
    }
    if (ioctl(ctl, request, ifr) != 0) {
        char message[96];
        snprintf(message, sizeof message, "%s(%s)", operation, ifr->ifr_name);
        m13_throw_errno(env, message, errno);
        return -1;
    }
    return 0;
}

static void tun_set_mtu(JNIEnv *env, jclass cls, jint ctl, jstring name, jint mtu)
{
    (void)cls;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_mtu = mtu;
    (void)ifreq_call(env, ctl, name, SIOCSIFMTU, &ifr, "SIOCSIFMTU");
}

static jint tun_mtu(JNIEnv *env, jclass cls, jint ctl, jstring name)
{
    (void)cls;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ifreq_call(env, ctl, name, SIOCGIFMTU, &ifr, "SIOCGIFMTU") != 0) {
        return -1;
    }
    return ifr.ifr_mtu;
}

static jint tun_flags(JNIEnv *env, jclass cls, jint ctl, jstring name)
{
    (void)cls;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ifreq_call(env, ctl, name, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS") != 0) {
        return -1;
    }
    return (jint)(unsigned short)ifr.ifr_flags;
}

static void tun_set_up(JNIEnv *env, jclass cls, jint ctl, jstring name, jboolean up)
{
    (void)cls;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ifreq_call(env, ctl, name, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS") != 0) {
        return;
    }
    if (up) {
        ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
    } else {
        ifr.ifr_flags = (short)(ifr.ifr_flags & ~IFF_UP);
    }
    (void)ifreq_call(env, ctl, name, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
}

static jint tun_read(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    (void)env;
    (void)cls;
    if (length < 0) {
        return -EINVAL;
    }
    ssize_t n = read(fd, (void *)(uintptr_t)address, (size_t)length);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return (jint)n;
}

static jint tun_write(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    (void)env;
    (void)cls;
    if (length < 0) {
        return -EINVAL;
    }
    ssize_t n = write(fd, (const void *)(uintptr_t)address, (size_t)length);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return (jint)n;
}

static jint tun_poll(JNIEnv *env, jclass cls, jint fd, jint events, jint timeout_ms)
{
    (void)env;
    (void)cls;
    struct pollfd pfd = {.fd = fd, .events = (short)events, .revents = 0};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
        return -errno;
    }
    return n == 0 ? 0 : (jint)(unsigned short)pfd.revents;
}

static void tun_close(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    if (fd >= 0) {
        close(fd);
    }
}

static const JNINativeMethod tun_methods[] = {
    {"open0", "(Ljava/lang/String;)I", (void *)tun_open},
    {"name0", "(I)Ljava/lang/String;", (void *)tun_name},
    {"controlSocket0", "()I", (void *)tun_control_socket},
    {"setMtu0", "(ILjava/lang/String;I)V", (void *)tun_set_mtu},
    {"mtu0", "(ILjava/lang/String;)I", (void *)tun_mtu},
    {"flags0", "(ILjava/lang/String;)I", (void *)tun_flags},
    {"setUp0", "(ILjava/lang/String;Z)V", (void *)tun_set_up},
    {"read0", "(IJI)I", (void *)tun_read},
    {"write0", "(IJI)I", (void *)tun_write},
    {"poll0", "(III)I", (void *)tun_poll},
    {"close0", "(I)V", (void *)tun_close},
};

jint m13_register_tun(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/Tun", tun_methods, M13_COUNT(tun_methods));
}
