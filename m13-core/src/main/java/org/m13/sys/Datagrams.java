package org.m13.sys;

/**
 * What the data plane needs of a UDP socket: datagrams in and out at native addresses,
 * connected ({@link #send}, {@link #receive}: the node) or not ({@link #sendTo},
 * {@link #receiveFrom}: the hub), and a poll. {@link UdpSocket} is the real one; tests
 * and benchmarks use in-memory links. Same return conventions as {@link UdpSocket}.
 */
public interface Datagrams {
    int send(long address, int length);

    int receive(long address, int length);

    /** Receives one datagram and stores its source address big endian at {@code ipOut} (4) and {@code portOut} (2). */
    int receiveFrom(long address, int length, long ipOut, long portOut);

    int sendTo(long address, int length, int ip, int port);

    int poll(int events, int timeoutMillis);
}
