package org.m13.handshake;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.m13.identity.PublicIdentity;

/**
 * The ClientHello's DoS-guard MAC ("mac1", after WireGuard's): only someone who knows
 * the hub's public key can make the hub do any work beyond one HMAC.
 * <pre>
 *   K_mac1 = SHA-512("M13-HS-v2 mac1" || hub ML-DSA-87 public key)      (64 bytes)
 *   mac1   = HMAC-SHA-512(K_mac1, ClientHello bytes 0..2772)[0..16]
 * </pre>
 * The hub checks it before allow-list lookup, state or any X25519/ML-KEM/ML-DSA work.
 * It is not authentication (the hub key is public); it keeps strangers who do not
 * know the key from costing anything. Immutable; one per hub key.
 */
public final class DosGuard {
    private final byte[] key;

    public DosGuard(PublicIdentity hub) {
        SHA512Digest sha = new SHA512Digest();
        sha.update(HandshakeProtocol.MAC1_LABEL, 0, HandshakeProtocol.MAC1_LABEL.length);
        byte[] hubKey = hub.encoded();
        sha.update(hubKey, 0, hubKey.length);
        key = new byte[sha.getDigestSize()];
        sha.doFinal(key, 0);
    }

    /** The 16-byte MAC over any byte range under this hub's key (for the fragment layer too). */
    public byte[] mac(byte[] data, int offset, int length) {
        return Crypto.hmacSha512(key, data, offset, length, HandshakeProtocol.MAC_BYTES);
    }

    /** Writes mac1 into a ClientHello-sized message. */
    void stamp(byte[] clientHello) {
        byte[] mac = mac(clientHello, 0, ClientHello.AUTHENTICATED_BYTES);
        System.arraycopy(mac, 0, clientHello, ClientHello.OFFSET_MAC1, mac.length);
    }

    /**
     * True if {@code message} has the length of a ClientHello and a correct mac1
     * (constant-time comparison). Costs one HMAC-SHA-512 over 2772 bytes.
     */
    public boolean check(byte[] message) {
        if (message.length != ClientHello.BYTES) {
            return false;
        }
        byte[] expected = mac(message, 0, ClientHello.AUTHENTICATED_BYTES);
        boolean ok = Crypto.equalAt(expected, message, ClientHello.OFFSET_MAC1);
        Arrays.fill(expected, (byte) 0);
        return ok;
    }
}
