package org.m13.handshake;

import java.util.Arrays;
import org.m13.identity.KeyId;

/**
 * Finished, node to hub: 4677 bytes (4 fragments of at most 1402).
 *
 * <pre>
 *  offset  size  field
 *       0     1  type 0x03
 *       1     1  version 0x02
 *       2    16  node key id (the same as in the ClientHello; finds the attempt)
 *      18  4627  ML-DSA-87 signature by the node's static key over H_fin, context
 *                "M13-HS-v2 node signature"
 *    4645    32  confirm = HMAC-SHA-512(K_confirm, H_fin)[0..32]
 *    4677        end
 * </pre>
 *
 * H_fin = SHA-512 of the transcript continued from H_sh with the hub signature
 * (ServerHello bytes 1634..6261) and bytes 0..18 of this message.
 */
public final class Finished {
    public static final int OFFSET_KEY_ID = 2;
    public static final int OFFSET_SIGNATURE = OFFSET_KEY_ID + KeyId.BYTES;
    public static final int OFFSET_CONFIRM = OFFSET_SIGNATURE + HandshakeProtocol.ML_DSA_87_SIGNATURE_BYTES;
    public static final int BYTES = OFFSET_CONFIRM + HandshakeProtocol.CONFIRM_BYTES;
    /** Bytes of this message hashed into the transcript before the signature. */
    public static final int HEADER_BYTES = OFFSET_SIGNATURE;

    private final byte[] bytes;

    private Finished(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A Finished with signature and confirm zero; the node fills them in. */
    static Finished build(KeyId nodeKeyId) {
        byte[] b = new byte[BYTES];
        b[0] = (byte) HandshakeProtocol.TYPE_FINISHED;
        b[1] = (byte) HandshakeProtocol.VERSION;
        nodeKeyId.write(b, OFFSET_KEY_ID);
        return new Finished(b);
    }

    static Finished wrap(byte[] message) {
        HandshakeProtocol.checkHeader(message, HandshakeProtocol.TYPE_FINISHED, BYTES);
        return new Finished(message);
    }

    /** Parses a copy of a received message, for tools and tests; throws IllegalArgumentException. */
    public static Finished decode(byte[] message) {
        try {
            return wrap(message.clone());
        } catch (HandshakeException e) {
            throw new IllegalArgumentException("not a Finished: " + e.reason().label(), e);
        }
    }

    void setSignature(byte[] signature) {
        ClientHello.put(bytes, OFFSET_SIGNATURE, signature, HandshakeProtocol.ML_DSA_87_SIGNATURE_BYTES);
    }

    void setConfirm(byte[] confirm) {
        ClientHello.put(bytes, OFFSET_CONFIRM, confirm, HandshakeProtocol.CONFIRM_BYTES);
    }

    public KeyId nodeKeyId() {
        return KeyId.read(bytes, OFFSET_KEY_ID);
    }

    public byte[] signature() {
        return Arrays.copyOfRange(bytes, OFFSET_SIGNATURE, OFFSET_CONFIRM);
    }

    public byte[] confirm() {
        return Arrays.copyOfRange(bytes, OFFSET_CONFIRM, BYTES);
    }

    public byte[] encode() {
        return bytes.clone();
    }

    byte[] array() {
        return bytes;
    }
}
