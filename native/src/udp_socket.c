/*
 * Plain IPv4 UDP sockets for io_uring and benchmarks. Binds org.m13.sys.UdpSocket.
 * Opened in the calling thread's network namespace, non-blocking. open() throws;
 * send/recv return a count, 0 for "would block", or -errno.
 */
#define _GNU_SOURCE /* sendmmsg, recvmmsg */
#include "m13_jni.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void to_sockaddr(struct sockaddr_in *sa, jint ip, jint port)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = htonl((uint32_t)ip);
    sa->sin_port = htons((uint16_t)port);
}

static jint udp_open(JNIEnv *env, jclass cls, jint bind_ip, jint bind_port, jint peer_ip, jint peer_port,
                     jint receive_buffer)
{
    (void)cls;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        m13_throw_errno(env, "socket(AF_INET, SOCK_DGRAM)", errno);
        return -1;
    }
    const char *failed = NULL;
    int bytes = receive_buffer;
    struct sockaddr_in local;
    to_sockaddr(&local, bind_ip, bind_port);
    if (receive_buffer > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0
               && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0) {
        failed = "setsockopt(SO_RCVBUF)";
    } else if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        failed = "bind";
    } else if (peer_port != 0) {
        struct sockaddr_in peer;
        to_sockaddr(&peer, peer_ip, peer_port);
        if (connect(fd, (struct sockaddr *)&peer, sizeof peer) != 0) {
            failed = "connect";
        }
    }
    if (failed != NULL) {
        int err = errno;
        close(fd);
        char operation[96];
        char address[INET_ADDRSTRLEN];
        struct in_addr in = {.s_addr = htonl((uint32_t)bind_ip)};
        snprintf(operation, sizeof operation, "UDP %s(%s:%d)", failed,
                 inet_ntop(AF_INET, &in, address, sizeof address), bind_port);
        m13_throw_errno(env, operation, err);
        return -1;
    }
    return fd;
}

static jint udp_local_port(JNIEnv *env, jclass cls, jint fd)
{
    (void)cls;
    struct sockaddr_in sa;
    socklen_t length = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &length) != 0) {
        m13_throw_errno(env, "getsockname", errno);
        return -1;
    }
    return ntohs(sa.sin_port);
}

static jint udp_send(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    (void)env;
    (void)cls;
    ssize_t n = send(fd, (const void *)(uintptr_t)address, (size_t)length, MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return (jint)n;
}

static jint udp_recv(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    (void)env;
    (void)cls;
    ssize_t n = recv(fd, (void *)(uintptr_t)address, (size_t)length, MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return (jint)n;
}

/*
 * Receives one datagram on an unconnected socket (the hub) and writes its source
 * address big-endian to ip_out (4 bytes) and port_out (2 bytes): the hub keeps them
 * where AF_XDP would have them, in the outer IPv4/UDP headers in front of the frame.
 */
static jint udp_recv_from(JNIEnv *env, jclass cls, jint fd, jlong address, jint length, jlong ip_out,
                          jlong port_out)
{
    (void)env;
    (void)cls;
    struct sockaddr_in from;
    socklen_t from_length = sizeof from;
    ssize_t n = recvfrom(fd, (void *)(uintptr_t)address, (size_t)length, MSG_DONTWAIT, (struct sockaddr *)&from,
                         &from_length);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    memcpy((void *)(uintptr_t)ip_out, &from.sin_addr.s_addr, 4);
    memcpy((void *)(uintptr_t)port_out, &from.sin_port, 2);
    return (jint)n;
}

/* Sends one datagram to ip:port (host order) on an unconnected socket. */
static jint udp_send_to(JNIEnv *env, jclass cls, jint fd, jlong address, jint length, jint ip, jint port)
{
    (void)env;
    (void)cls;
    struct sockaddr_in to;
    to_sockaddr(&to, ip, port);
    ssize_t n = sendto(fd, (const void *)(uintptr_t)address, (size_t)length, MSG_DONTWAIT, (struct sockaddr *)&to,
                       sizeof to);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return (jint)n;
}

/* Waits up to timeout_ms for events on the socket: the revents, 0 on timeout, or -errno. */
static jint udp_poll(JNIEnv *env, jclass cls, jint fd, jint events, jint timeout_ms)
{
    (void)env;
    (void)cls;
    struct pollfd pfd = {.fd = fd, .events = (short)events, .revents = 0};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
        return errno == EINTR ? 0 : -errno;
    }
    return n == 0 ? 0 : pfd.revents;
}

#define MAX_MESSAGES 64

/* Sends `count` copies of one datagram with sendmmsg (benchmarks, bursts): how many went. */
static jint udp_send_batch(JNIEnv *env, jclass cls, jint fd, jlong address, jint length, jint count)
{
    (void)env;
    (void)cls;
    if (count > MAX_MESSAGES) {
        count = MAX_MESSAGES;
    }
    if (count <= 0) {
        return 0;
    }
    struct iovec iov = {.iov_base = (void *)(uintptr_t)address, .iov_len = (size_t)length};
    struct mmsghdr messages[MAX_MESSAGES];
    memset(messages, 0, sizeof messages);
    for (int i = 0; i < count; i++) {
        messages[i].msg_hdr.msg_iov = &iov;
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(fd, messages, (unsigned)count, MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return n;
}

/* Receives up to `count` datagrams with recvmmsg into slots of `slot` bytes from address. */
static jint udp_recv_batch(JNIEnv *env, jclass cls, jint fd, jlong address, jint slot, jint count)
{
    (void)env;
    (void)cls;
    if (count > MAX_MESSAGES) {
        count = MAX_MESSAGES;
    }
    if (count <= 0) {
        return 0;
    }
    struct iovec iov[MAX_MESSAGES];
    struct mmsghdr messages[MAX_MESSAGES];
    memset(messages, 0, sizeof messages);
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = (void *)(uintptr_t)(address + (jlong)i * slot);
        iov[i].iov_len = (size_t)slot;
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, messages, (unsigned)count, MSG_DONTWAIT, NULL);
    if (n < 0) {
        return errno == EAGAIN ? 0 : -errno;
    }
    return n;
}

static void udp_close(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    if (fd >= 0) {
        close(fd);
    }
}

static const JNINativeMethod udp_socket_methods[] = {
    {"open0", "(IIIII)I", (void *)udp_open},
    {"localPort0", "(I)I", (void *)udp_local_port},
    {"send0", "(IJI)I", (void *)udp_send},
    {"recv0", "(IJI)I", (void *)udp_recv},
    {"recvFrom0", "(IJIJJ)I", (void *)udp_recv_from},
    {"sendTo0", "(IJIII)I", (void *)udp_send_to},
    {"poll0", "(III)I", (void *)udp_poll},
    {"sendBatch0", "(IJII)I", (void *)udp_send_batch},
    {"recvBatch0", "(IJII)I", (void *)udp_recv_batch},
    {"close0", "(I)V", (void *)udp_close},
};

jint m13_register_udp_socket(JNIEnv *env)
{
    return m13_register(env, "org/m13/sys/UdpSocket", udp_socket_methods, M13_COUNT(udp_socket_methods));
}
