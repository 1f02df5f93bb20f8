package org.m13.handshake;

import java.util.Arrays;
import org.m13.identity.KeyId;

/**
 * ClientHello, node to hub: 2804 bytes, exactly 2 full fragments of 1402.
 *
 * <pre>
 *  offset  size  field
 *       0     1  type 0x01
 *       1     1  version 0x02
 *       2    32  client nonce (random)
 *      34    16  node key id: SHA-512(node ML-DSA-87 public key)[0..16]
 *      50  1568  ephemeral ML-KEM-1024 encapsulation key
 *    1618    32  ephemeral X25519 public key
 *    1650  1122  padding, zero (see below)
 *    2772    16  mac1 = HMAC-SHA-512(K_mac1, bytes 0..2772)[0..16]  (DoS guard)
 *    2788    16  mac2: zero (reserved for the load cookie, not yet checked)
 *    2804        end
 * </pre>
 *
 * The padding fills the second fragment so that the hub's answer (the 6261-byte
 * ServerHello) is at most 3 times what an unvalidated sender sent (2.23x here, 2.25x
 * with frame headers), like QUIC's padded Initial; it costs no extra fragment.
 * Senders write zeros; receivers do not interpret it, but it is covered by mac1 and
 * the transcript, so changing it breaks the handshake. Bytes 0..2772 go into the
 * transcript; the MACs do not (mac2 will change between retries under a cookie while
 * the handshake content stays the same). A flyweight over one array; {@link #wrap}
 * checks only length, type and version.
 */
public final class ClientHello {
    public static final int OFFSET_NONCE = 2;
    public static final int OFFSET_KEY_ID = OFFSET_NONCE + HandshakeProtocol.NONCE_BYTES;
    public static final int OFFSET_ML_KEM_KEY = OFFSET_KEY_ID + KeyId.BYTES;
    public static final int OFFSET_X25519_KEY = OFFSET_ML_KEM_KEY + HandshakeProtocol.ML_KEM_1024_PUBLIC_KEY_BYTES;
    public static final int OFFSET_PADDING = OFFSET_X25519_KEY + HandshakeProtocol.X25519_PUBLIC_KEY_BYTES;
    public static final int PADDING_BYTES = 1122;
    public static final int OFFSET_MAC1 = OFFSET_PADDING + PADDING_BYTES;
    public static final int OFFSET_MAC2 = OFFSET_MAC1 + HandshakeProtocol.MAC_BYTES;
    public static final int BYTES = OFFSET_MAC2 + HandshakeProtocol.MAC_BYTES;
    /** Bytes hashed into the transcript and covered by mac1. */
    public static final int AUTHENTICATED_BYTES = OFFSET_MAC1;

    private final byte[] bytes;

    private ClientHello(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Builds a ClientHello with both MACs zero (the DoS guard stamps mac1). */
    static ClientHello build(byte[] nonce, KeyId nodeKeyId, byte[] mlKemPublicKey, byte[] x25519PublicKey) {
        byte[] b = new byte[BYTES];
        b[0] = (byte) HandshakeProtocol.TYPE_CLIENT_HELLO;
        b[1] = (byte) HandshakeProtocol.VERSION;
        put(b, OFFSET_NONCE, nonce, HandshakeProtocol.NONCE_BYTES);
        nodeKeyId.write(b, OFFSET_KEY_ID);
        put(b, OFFSET_ML_KEM_KEY, mlKemPublicKey, HandshakeProtocol.ML_KEM_1024_PUBLIC_KEY_BYTES);
        put(b, OFFSET_X25519_KEY, x25519PublicKey, HandshakeProtocol.X25519_PUBLIC_KEY_BYTES);
        return new ClientHello(b);
    }

    /** Views a received message (not copied); refuses wrong length, type or version. */
    static ClientHello wrap(byte[] message) {
        HandshakeProtocol.checkHeader(message, HandshakeProtocol.TYPE_CLIENT_HELLO, BYTES);
        return new ClientHello(message);
    }

    /** Parses a copy of a received message, for tools and tests; throws IllegalArgumentException. */
    public static ClientHello decode(byte[] message) {
        try {
            return wrap(message.clone());
        } catch (HandshakeException e) {
            throw new IllegalArgumentException("not a ClientHello: " + e.reason().label(), e);
        }
    }

    static void put(byte[] to, int offset, byte[] field, int length) {
        if (field.length != length) {
            throw new IllegalArgumentException("field must be " + length + " bytes, got " + field.length);
        }
        System.arraycopy(field, 0, to, offset, length);
    }

    public byte[] nonce() {
        return Arrays.copyOfRange(bytes, OFFSET_NONCE, OFFSET_KEY_ID);
    }

    public KeyId nodeKeyId() {
        return KeyId.read(bytes, OFFSET_KEY_ID);
    }

    public byte[] mlKemPublicKey() {
        return Arrays.copyOfRange(bytes, OFFSET_ML_KEM_KEY, OFFSET_X25519_KEY);
    }

    public byte[] x25519PublicKey() {
        return Arrays.copyOfRange(bytes, OFFSET_X25519_KEY, OFFSET_PADDING);
    }

    public byte[] mac1() {
        return Arrays.copyOfRange(bytes, OFFSET_MAC1, OFFSET_MAC2);
    }

    /** The whole message (a copy). */
    public byte[] encode() {
        return bytes.clone();
    }

    /** The backing array, not copied (core use only). */
    byte[] array() {
        return bytes;
    }
}
