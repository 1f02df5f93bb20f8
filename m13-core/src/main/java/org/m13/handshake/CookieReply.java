package org.m13.handshake;

import java.util.Arrays;

/**
 * CookieReply, hub to node when the hub is under load: 46 bytes (1 fragment).
 *
 * <pre>
 *  offset  size  field
 *       0     1  type 0x04
 *       1     1  version 0x02
 *       2    12  nonce (random)
 *      14    16  cookie, encrypted: ChaCha20-Poly1305(K_cookie, nonce, AAD = mac1 of the
 *                ClientHello it answers)
 *      30    16  Poly1305 tag
 *      46        end
 * </pre>
 *
 * K_cookie = SHA-512("M13-HS-v2 cookie" || hub public key)[0..32]. Binding to mac1
 * means only someone who saw that ClientHello and knows the hub key can make a
 * CookieReply the node accepts (as in WireGuard's cookie reply).
 */
public final class CookieReply {
    public static final int OFFSET_NONCE = 2;
    public static final int OFFSET_COOKIE = OFFSET_NONCE + HandshakeProtocol.COOKIE_NONCE_BYTES;
    public static final int OFFSET_TAG = OFFSET_COOKIE + HandshakeProtocol.COOKIE_BYTES;
    public static final int BYTES = OFFSET_TAG + HandshakeProtocol.COOKIE_TAG_BYTES;

    private final byte[] bytes;

    private CookieReply(byte[] bytes) {
        this.bytes = bytes;
    }

    static CookieReply build(byte[] nonce, byte[] sealedCookieAndTag) {
        byte[] b = new byte[BYTES];
        b[0] = (byte) HandshakeProtocol.TYPE_COOKIE_REPLY;
        b[1] = (byte) HandshakeProtocol.VERSION;
        ClientHello.put(b, OFFSET_NONCE, nonce, HandshakeProtocol.COOKIE_NONCE_BYTES);
        ClientHello.put(b, OFFSET_COOKIE, sealedCookieAndTag,
                HandshakeProtocol.COOKIE_BYTES + HandshakeProtocol.COOKIE_TAG_BYTES);
        return new CookieReply(b);
    }

    static CookieReply wrap(byte[] message) {
        HandshakeProtocol.checkHeader(message, HandshakeProtocol.TYPE_COOKIE_REPLY, BYTES);
        return new CookieReply(message);
    }

    /** Parses a copy of a received message, for tools and tests; throws IllegalArgumentException. */
    public static CookieReply decode(byte[] message) {
        try {
            return wrap(message.clone());
        } catch (HandshakeException e) {
            throw new IllegalArgumentException("not a CookieReply: " + e.reason().label(), e);
        }
    }

    public byte[] nonce() {
        return Arrays.copyOfRange(bytes, OFFSET_NONCE, OFFSET_COOKIE);
    }

    /** The encrypted cookie followed by the tag (32 bytes). */
    public byte[] sealedCookie() {
        return Arrays.copyOfRange(bytes, OFFSET_COOKIE, BYTES);
    }

    public byte[] encode() {
        return bytes.clone();
    }
}
