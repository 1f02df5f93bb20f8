package org.m13.handshake;

import java.nio.charset.StandardCharsets;

/**
 * Constants of handshake version 2 (version 1 was the reference design, which verified
 * signatures with a key carried in the same message; there is no compatibility with
 * it). Every label below is ASCII; docs/PROTOCOL-HANDSHAKE.md lists them with their use.
 */
public final class HandshakeProtocol {
    public static final int VERSION = 0x02;

    public static final int TYPE_CLIENT_HELLO = 0x01;
    public static final int TYPE_SERVER_HELLO = 0x02;
    public static final int TYPE_FINISHED = 0x03;
    public static final int TYPE_COOKIE_REPLY = 0x04;
    public static final int TYPE_ACK = 0x05;

    public static final int NONCE_BYTES = 32;
    public static final int ML_KEM_1024_PUBLIC_KEY_BYTES = 1568;
    public static final int ML_KEM_1024_CIPHERTEXT_BYTES = 1568;
    public static final int ML_DSA_87_SIGNATURE_BYTES = 4627;
    public static final int X25519_PUBLIC_KEY_BYTES = 32;
    public static final int MAC_BYTES = 16;
    public static final int CONFIRM_BYTES = 32;

    /** Prefix of the transcript hash (domain separation from any other SHA-512 use). */
    static final byte[] TRANSCRIPT_LABEL = ascii("M13-HS-v2 transcript");
    /** ML-DSA-87 context strings (FIPS 204 ctx): a hub signature is never a node signature. */
    static final byte[] HUB_SIGNATURE_CONTEXT = ascii("M13-HS-v2 hub signature");
    static final byte[] NODE_SIGNATURE_CONTEXT = ascii("M13-HS-v2 node signature");
    /** HKDF-SHA-512 info labels, one per derived key. */
    static final byte[] INFO_NODE_TO_HUB = ascii("M13-HS-v2 key node->hub");
    static final byte[] INFO_HUB_TO_NODE = ascii("M13-HS-v2 key hub->node");
    static final byte[] INFO_NODE_CONFIRM = ascii("M13-HS-v2 node confirm");
    /** Prefix hashed with the hub public key into the DoS-guard MAC key. */
    static final byte[] MAC1_LABEL = ascii("M13-HS-v2 mac1");
    /** Prefix hashed with the hub public key into the key that seals cookies in a CookieReply. */
    static final byte[] COOKIE_LABEL = ascii("M13-HS-v2 cookie");
    /** K_frame = SHA-512(this || hub public key): the per-frame MAC of {@link FrameMac}. */
    static final byte[] FRAME_MAC_LABEL = ascii("M13-HS-v2 frame");
    /** Cookie, ChaCha20-Poly1305 nonce and tag sizes. */
    public static final int COOKIE_BYTES = 16;
    public static final int COOKIE_NONCE_BYTES = 12;
    public static final int COOKIE_TAG_BYTES = 16;

    private HandshakeProtocol() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Checks exact length, type and version; throws the first that is wrong. */
    static void checkHeader(byte[] message, int type, int length) {
        if (message.length != length) {
            throw new HandshakeException(Reject.BAD_LENGTH);
        }
        if ((message[0] & 0xFF) != type) {
            throw new HandshakeException(Reject.BAD_TYPE);
        }
        if ((message[1] & 0xFF) != VERSION) {
            throw new HandshakeException(Reject.BAD_VERSION);
        }
    }
}
