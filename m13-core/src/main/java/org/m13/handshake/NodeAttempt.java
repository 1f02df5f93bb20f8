package org.m13.handshake;

/** What {@link NodeDriver} needs of one node attempt; {@link NodeHandshake} is the real one. */
interface NodeAttempt extends AutoCloseable {
    byte[] clientHello();

    HandshakeStep onServerHello(byte[] message, long nowNanos);

    HandshakeStep onCookieReply(byte[] message, long nowNanos);

    boolean isExpired(long nowNanos);

    long deadlineNanos();

    @Override
    void close();
}
