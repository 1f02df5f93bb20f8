package org.m13.handshake;

import java.util.Arrays;

/**
 * ServerHello, hub to node: 6261 bytes (5 fragments of at most 1402).
 *
 * <pre>
 *  offset  size  field
 *       0     1  type 0x02
 *       1     1  version 0x02
 *       2    32  server nonce (random)
 *      34  1568  ML-KEM-1024 ciphertext (encapsulated to the node's ephemeral key)
 *    1602    32  ephemeral X25519 public key of the hub
 *    1634  4627  ML-DSA-87 signature by the hub's static key over H_sh, context
 *                "M13-HS-v2 hub signature"
 *    6261        end
 * </pre>
 *
 * H_sh = SHA-512 of the transcript up to and including bytes 0..1634 of this message.
 * The hub's public key is not sent: the node has it pinned.
 */
public final class ServerHello {
    public static final int OFFSET_NONCE = 2;
    public static final int OFFSET_CIPHERTEXT = OFFSET_NONCE + HandshakeProtocol.NONCE_BYTES;
    public static final int OFFSET_X25519_KEY = OFFSET_CIPHERTEXT + HandshakeProtocol.ML_KEM_1024_CIPHERTEXT_BYTES;
    public static final int OFFSET_SIGNATURE = OFFSET_X25519_KEY + HandshakeProtocol.X25519_PUBLIC_KEY_BYTES;
    public static final int BYTES = OFFSET_SIGNATURE + HandshakeProtocol.ML_DSA_87_SIGNATURE_BYTES;
    /** Bytes hashed into the transcript before the signature (the signed part). */
    public static final int SIGNED_BYTES = OFFSET_SIGNATURE;

    private final byte[] bytes;

    private ServerHello(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Builds a ServerHello with a zero signature (the hub signs the prefix, then sets it). */
    static ServerHello build(byte[] nonce, byte[] ciphertext, byte[] x25519PublicKey) {
        byte[] b = new byte[BYTES];
        b[0] = (byte) HandshakeProtocol.TYPE_SERVER_HELLO;
        b[1] = (byte) HandshakeProtocol.VERSION;
        ClientHello.put(b, OFFSET_NONCE, nonce, HandshakeProtocol.NONCE_BYTES);
        ClientHello.put(b, OFFSET_CIPHERTEXT, ciphertext, HandshakeProtocol.ML_KEM_1024_CIPHERTEXT_BYTES);
        ClientHello.put(b, OFFSET_X25519_KEY, x25519PublicKey, HandshakeProtocol.X25519_PUBLIC_KEY_BYTES);
        return new ServerHello(b);
    }

    static ServerHello wrap(byte[] message) {
        HandshakeProtocol.checkHeader(message, HandshakeProtocol.TYPE_SERVER_HELLO, BYTES);
        return new ServerHello(message);
    }

    /** Parses a copy of a received message, for tools and tests; throws IllegalArgumentException. */
    public static ServerHello decode(byte[] message) {
        try {
            return wrap(message.clone());
        } catch (HandshakeException e) {
            throw new IllegalArgumentException("not a ServerHello: " + e.reason().label(), e);
        }
    }

    void setSignature(byte[] signature) {
        ClientHello.put(bytes, OFFSET_SIGNATURE, signature, HandshakeProtocol.ML_DSA_87_SIGNATURE_BYTES);
    }

    public byte[] nonce() {
        return Arrays.copyOfRange(bytes, OFFSET_NONCE, OFFSET_CIPHERTEXT);
    }

    public byte[] ciphertext() {
        return Arrays.copyOfRange(bytes, OFFSET_CIPHERTEXT, OFFSET_X25519_KEY);
    }

    public byte[] x25519PublicKey() {
        return Arrays.copyOfRange(bytes, OFFSET_X25519_KEY, OFFSET_SIGNATURE);
    }

    public byte[] signature() {
        return Arrays.copyOfRange(bytes, OFFSET_SIGNATURE, BYTES);
    }

    public byte[] encode() {
        return bytes.clone();
    }

    byte[] array() {
        return bytes;
    }
}
