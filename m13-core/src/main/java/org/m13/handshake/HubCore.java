package org.m13.handshake;

import java.security.SecureRandom;

/** What {@link HubDriver} needs of the hub core; {@link HubHandshake} is the real one. */
interface HubCore {
    HandshakeStep onClientHello(byte[] message, long source, SecureRandom random, long nowNanos);

    HandshakeStep onFinished(byte[] message, long source, long nowNanos);

    int onTimer(long nowNanos);
}
