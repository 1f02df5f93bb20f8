package org.m13.handshake;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The hub's stateless cookies: {@code cookie = HMAC-SHA-512(secret, source)[0..16]},
 * where {@code source} is the caller's 8-byte (big-endian) encoding of the sender's
 * address and port, and {@code secret} is 32 random bytes replaced every rotation
 * period (2 minutes by default). A cookie made with the current or the previous
 * secret is accepted, so a cookie lives 2 to 4 minutes. Nothing is stored per
 * sender: a flood of ClientHellos without cookies costs one HMAC each and a 46-byte
 * CookieReply.
 */
final class CookieJar implements AutoCloseable {
    private static final int SECRET_BYTES = 32;

    private final long rotationNanos;
    private final byte[] current = new byte[SECRET_BYTES];
    private final byte[] previous = new byte[SECRET_BYTES];
    private boolean started;
    private long rotatedAt;

    CookieJar(long rotationNanos) {
        if (rotationNanos <= 0) {
            throw new IllegalArgumentException("cookie rotation must be positive, got " + rotationNanos);
        }
        this.rotationNanos = rotationNanos;
    }

    private void rotate(SecureRandom random, long nowNanos) {
        if (!started) {
            random.nextBytes(current);
            random.nextBytes(previous);
            started = true;
            rotatedAt = nowNanos;
            return;
        }
        long elapsed = nowNanos - rotatedAt;
        if (elapsed >= 2 * rotationNanos) {
            random.nextBytes(previous); // both secrets are stale: neither may be accepted again
            random.nextBytes(current);
            rotatedAt = nowNanos;
        } else if (elapsed >= rotationNanos) {
            System.arraycopy(current, 0, previous, 0, SECRET_BYTES);
            random.nextBytes(current);
            rotatedAt += rotationNanos;
        }
    }

    /** The cookie for {@code source} under the current secret. */
    byte[] cookie(long source, SecureRandom random, long nowNanos) {
        rotate(random, nowNanos);
        return make(current, source);
    }

    /** True if the ClientHello's mac2 was made with a cookie for {@code source} (current or previous secret). */
    boolean checkMac2(DosGuard guard, byte[] clientHello, long source, SecureRandom random, long nowNanos) {
        rotate(random, nowNanos);
        byte[] a = make(current, source);
        byte[] b = make(previous, source);
        try {
            boolean withCurrent = guard.checkMac2(clientHello, a);
            boolean withPrevious = guard.checkMac2(clientHello, b);
            return withCurrent || withPrevious;
        } finally {
            Arrays.fill(a, (byte) 0);
            Arrays.fill(b, (byte) 0);
        }
    }

    private static byte[] make(byte[] secret, long source) {
        byte[] s = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            s[i] = (byte) (source >>> (56 - 8 * i));
        }
        return Crypto.hmacSha512(secret, s, 0, s.length, HandshakeProtocol.COOKIE_BYTES);
    }

    @Override
    public void close() {
        Arrays.fill(current, (byte) 0);
        Arrays.fill(previous, (byte) 0);
    }
}
