package org.m13.sys;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking IPv4 UDP socket owned by native code, for {@link IoUring} (which
 * needs the descriptor) and for benchmarks. Opened in the calling thread's network
 * namespace. {@link #send} and {@link #receive} are hot calls: a count, 0 for
 * "would block", or -errno.
 */
public final class UdpSocket implements Datagrams, AutoCloseable {
    public static final int MAX_BATCH = 64;

    private final int localPort;
    /** The descriptor, -1 once closed (calls then fail with -EBADF, never on a reused number). */
    private final NativeHandle handle;

    private UdpSocket(int fd) {
        this.handle = new NativeHandle(this, fd, -1, UdpSocket::release);
        this.localPort = localPort0(fd);
    }

    /**
     * Binds to {@code local} and, when {@code peer} is not null, connects to it;
     * {@code receiveBufferBytes} > 0 sets SO_RCVBUF (forced past rmem_max as root).
     */
    public static UdpSocket open(InetSocketAddress local, InetSocketAddress peer, int receiveBufferBytes) {
        Native.ensureAvailable();
        int fd = open0(ipv4(local), local.getPort(), peer == null ? 0 : ipv4(peer), peer == null ? 0 : peer.getPort(),
                receiveBufferBytes);
        try {
            return new UdpSocket(fd);
        } catch (RuntimeException e) {
            close0(fd);
            throw e;
        }
    }

    private static int ipv4(InetSocketAddress address) {
        if (!(address.getAddress() instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        return ByteBuffer.wrap(v4.getAddress()).getInt();
    }

    public int fd() {
        return (int) handle.get();
    }

    public int localPort() {
        return localPort;
    }

    /** Sends one datagram to the connected peer. */
    @Override
    public int send(long address, int length) {
        return send0((int) handle.get(), address, length);
    }

    /** Receives one datagram (truncated to {@code length}). */
    @Override
    public int receive(long address, int length) {
        return recv0((int) handle.get(), address, length);
    }

    /**
     * Receives one datagram on an unconnected socket and stores its source address, big
     * endian, at the native addresses {@code ipOut} (4 bytes) and {@code portOut} (2 bytes).
     */
    @Override
    public int receiveFrom(long address, int length, long ipOut, long portOut) {
        return recvFrom0((int) handle.get(), address, length, ipOut, portOut);
    }

    /** Sends one datagram to {@code ip:port} (an IPv4 address as an int, host order). */
    @Override
    public int sendTo(long address, int length, int ip, int port) {
        return sendTo0((int) handle.get(), address, length, ip, port);
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code events} ({@link Tun#POLLIN}, ...).
     *
     * @return the events that happened, 0 on timeout or a signal, or -errno
     */
    @Override
    public int poll(int events, int timeoutMillis) {
        return poll0((int) handle.get(), events, timeoutMillis);
    }

    /** Sends up to {@value #MAX_BATCH} copies of one datagram in one sendmmsg: how many went. */
    public int sendBatch(long address, int length, int count) {
        return sendBatch0((int) handle.get(), address, length, count);
    }

    /**
     * Receives up to {@code count} (at most {@value #MAX_BATCH}) datagrams in one recvmmsg,
     * datagram {@code i} into the {@code slot} bytes at {@code address + i * slot}.
     */
    public int receiveBatch(long address, int slot, int count) {
        return recvBatch0((int) handle.get(), address, slot, count);
    }

    @Override
    public void close() {
        handle.close();
    }

    private static native int open0(int bindIp, int bindPort, int peerIp, int peerPort, int receiveBuffer);

    private static native int localPort0(int fd);

    private static native int send0(int fd, long address, int length);

    private static native int recv0(int fd, long address, int length);

    private static native int recvFrom0(int fd, long address, int length, long ipOut, long portOut);

    private static native int sendTo0(int fd, long address, int length, int ip, int port);

    private static native int poll0(int fd, int events, int timeoutMillis);

    private static native int sendBatch0(int fd, long address, int length, int count);

    private static native int recvBatch0(int fd, long address, int slot, int count);

    private static void release(long fd) {
        close0((int) fd);
    }

    private static native void close0(int fd);
}
