/*
 * AF_PACKET raw sockets bound to one interface: every Ethernet frame in, any frame
 * out. Binds org.m13.sys.PacketSocket (used by the link emulator, m13 linkem).
 *
 * The socket is created with protocol 0 (it receives nothing) and bound with
 * ETH_P_ALL to one ifindex, so no frame of another interface slips in between
 * socket() and bind(). PACKET_IGNORE_OUTGOING hides the socket's own (and the
 * namespace's) transmissions; PACKET_VNET_HDR prefixes every frame with a 10-byte
 * struct virtio_net_hdr, so a frame whose checksum the sender left to offload
 * (CHECKSUM_PARTIAL, usual on veth) keeps its csum_start/csum_offset and the kernel
 * completes it when the frame is sent out again, instead of the far end dropping it.
 *
 * Cold calls (open) throw with the errno text. Hot calls (recv, send, poll) return
 * a count, 0 for "would block" or "timed out", or -errno.
 */
#define _GNU_SOURCE
#include "m13_jni.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static jint packet_open(JNIEnv *env, jclass cls, jstring name, jint buffer_bytes, jboolean qdisc_bypass,
                        jboolean outgoing)
{
    (void)cls;
    const char *chars = (*env)->GetStringUTFChars(env, name, NULL);
    if (chars == NULL) {
        return -1;
    }
    char ifname[IF_NAMESIZE];
    char operation[96];
    size_t length = strlen(chars);
    if (length >= IF_NAMESIZE) {
        snprintf(operation, sizeof operation, "AF_PACKET open(%.40s...)", chars);
        (*env)->ReleaseStringUTFChars(env, name, chars);
        m13_throw_errno(env, operation, ENAMETOOLONG);
        return -1;
    }
    memcpy(ifname, chars, length + 1);
    (*env)->ReleaseStringUTFChars(env, name, chars);

    unsigned int ifindex = if_nametoindex(ifname);
    if (ifindex == 0) {
        snprintf(operation, sizeof operation, "if_nametoindex(%s)", ifname);
        m13_throw_errno(env, operation, errno);
        return -1;
    }
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        m13_throw_errno(env, "socket(AF_PACKET, SOCK_RAW)", errno);
        return -1;
    }
    int one = 1;
    int bytes = buffer_bytes;
    const char *failed = NULL;
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)ifindex;
    if (!outgoing && setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0) {
        failed = "setsockopt(PACKET_IGNORE_OUTGOING)";
    } else if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) != 0) {
        failed = "setsockopt(PACKET_VNET_HDR)";
    } else if (qdisc_bypass && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0) {
        failed = "setsockopt(PACKET_QDISC_BYPASS)";
    } else if (buffer_bytes > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0
               && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0) {
        failed = "setsockopt(SO_RCVBUF)";
    } else if (buffer_bytes > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0
               && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) != 0) {
        failed = "setsockopt(SO_SNDBUF)";
    } else if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        failed = "bind";
    }
    if (failed != NULL) {
        int err = errno;
        close(fd);
        snprintf(operation, sizeof operation, "AF_PACKET %s(%s)", failed, ifname);
        m13_throw_errno(env, operation, err);
        return -1;
    }
    return fd;
}

static jint packet_recv(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    (void)env;
    (void)cls;
    if (length < 0) {
        return -EINVAL;
    }
    /* MSG_TRUNC: the frame's real length, so the caller can tell a truncated one. */
    ssize_t n = recv(fd, (void *)(uintptr_t)address, (size_t)length, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    if ((size_t)n >= sizeof(struct virtio_net_hdr) && (size_t)length >= sizeof(struct virtio_net_hdr)) {
        /* DATA_VALID describes this receive only; it means nothing on the way out. */
        struct virtio_net_hdr *vnet = (struct virtio_net_hdr *)(uintptr_t)address;
        vnet->flags = (uint8_t)(vnet->flags & ~VIRTIO_NET_HDR_F_DATA_VALID);
    }
    return (jint)n;
}

static jint packet_send(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    (void)env;
    (void)cls;
    if (length < 0) {
        return -EINVAL;
    }
    ssize_t n = send(fd, (const void *)(uintptr_t)address, (size_t)length, MSG_DONTWAIT);
    if (n < 0) {
        return (errno == EAGAIN || errno == ENOBUFS) ? 0 : -errno;
    }
    return (jint)n;
}

/* Waits up to timeout_nanos (< 0: forever) for either socket to be readable: bit 0 for a, bit 1 for b. */
static jint packet_poll2(JNIEnv *env, jclass cls, jint fd_a, jint fd_b, jlong timeout_nanos)
{
    (void)env;
    (void)cls;
    struct pollfd pfd[2] = {
        {.fd = fd_a, .events = POLLIN, .revents = 0},
        {.fd = fd_b, .events = POLLIN, .revents = 0},
    };
    struct timespec timeout;
    struct timespec *t = NULL;
    if (timeout_nanos >= 0) {
        timeout.tv_sec = (time_t)(timeout_nanos / 1000000000L);
        timeout.tv_nsec = (long)(timeout_nanos % 1000000000L);
        t = &timeout;
    }
    int n = ppoll(pfd, 2, t, NULL);
    if (n < 0) {
        return -errno;
    }
    int ready = 0;
    if (pfd[0].revents != 0) {
        ready |= 1;
    }
    if (pfd[1].revents != 0) {
        ready |= 2;
    }
    return ready;
}

static void packet_close(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    if (fd >= 0) {
        close(fd);
    }
}

static const JNINativeMethod packet_socket_methods[] = {
    {"open0", "(Ljava/lang/String;IZZ)I", (void *)packet_open},
    {"recv0", "(IJI)I", (void *)packet_recv},
    {"send0", "(IJI)I", (void *)packet_send},
    {"poll0", "(IIJ)I", (void *)packet_poll2},
    {"close0", "(I)V", (void *)packet_close},
};

jint m13_register_packet_socket(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/PacketSocket", packet_socket_methods, M13_COUNT(packet_socket_methods));
}
