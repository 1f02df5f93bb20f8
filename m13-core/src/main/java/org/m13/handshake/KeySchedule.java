package org.m13.handshake;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF-SHA-512 (RFC 5869) over both shared secrets and the transcript:
 * <pre>
 *   PRK        = HKDF-Extract(salt = H_sh, IKM = ss_mlkem (32) || ss_x25519 (32))
 *   K_node2hub = HKDF-Expand(PRK, "M13-HS-v2 key node->hub", 32)
 *   K_hub2node = HKDF-Expand(PRK, "M13-HS-v2 key hub->node", 32)
 *   K_confirm  = HKDF-Expand(PRK, "M13-HS-v2 node confirm", 64)
 * </pre>
 * Instances hold the PRK and must be closed (zeroed) when the attempt ends.
 */
final class KeySchedule implements AutoCloseable {
    static final int PRK_BYTES = 64;
    static final int CONFIRM_KEY_BYTES = 64;

    private final byte[] prk;

    /** Extracts the PRK; zeroes nothing of the caller's (the caller wipes its secrets). */
    KeySchedule(byte[] transcriptHash, byte[] mlKemSecret, byte[] x25519Secret) {
        byte[] ikm = new byte[mlKemSecret.length + x25519Secret.length];
        System.arraycopy(mlKemSecret, 0, ikm, 0, mlKemSecret.length);
        System.arraycopy(x25519Secret, 0, ikm, mlKemSecret.length, x25519Secret.length);
        try {
            prk = new HKDFBytesGenerator(new SHA512Digest()).extractPRK(transcriptHash, ikm);
        } finally {
            Arrays.fill(ikm, (byte) 0);
        }
    }

    byte[] expand(byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA512Digest());
        hkdf.init(HKDFParameters.skipExtractParameters(prk, info));
        byte[] out = new byte[length];
        int produced = hkdf.generateBytes(out, 0, length);
        if (produced != length) {
            throw new IllegalStateException("HKDF produced " + produced + " of " + length + " bytes");
        }
        return out;
    }

    SessionKeys sessionKeys(SessionKeys.Role role, byte[] handshakeHash) {
        byte[] nodeToHub = expand(HandshakeProtocol.INFO_NODE_TO_HUB, SessionKeys.KEY_BYTES);
        byte[] hubToNode = expand(HandshakeProtocol.INFO_HUB_TO_NODE, SessionKeys.KEY_BYTES);
        return new SessionKeys(role, nodeToHub, hubToNode, handshakeHash);
    }

    /** confirm = HMAC-SHA-512(K_confirm, H_fin)[0..32]. */
    byte[] confirm(byte[] finishedHash) {
        byte[] key = expand(HandshakeProtocol.INFO_NODE_CONFIRM, CONFIRM_KEY_BYTES);
        try {
            return Crypto.hmacSha512(key, finishedHash, 0, finishedHash.length, HandshakeProtocol.CONFIRM_BYTES);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public void close() {
        Arrays.fill(prk, (byte) 0);
    }
}
