package org.m13.handshake;

import org.bouncycastle.crypto.digests.SHA512Digest;
import org.m13.identity.PublicIdentity;

/**
 * The running SHA-512 transcript. It starts with the label and both static public
 * keys (hub, then node), then absorbs every message byte exchanged, in order, except
 * the ClientHello MACs. {@link #hash()} is a snapshot; absorbing may go on after it.
 */
final class Transcript {
    static final int HASH_BYTES = 64;

    private final SHA512Digest digest;

    Transcript(PublicIdentity hub, PublicIdentity node) {
        digest = new SHA512Digest();
        absorb(HandshakeProtocol.TRANSCRIPT_LABEL, 0, HandshakeProtocol.TRANSCRIPT_LABEL.length);
        byte[] hubKey = hub.encoded();
        absorb(hubKey, 0, hubKey.length);
        byte[] nodeKey = node.encoded();
        absorb(nodeKey, 0, nodeKey.length);
    }

    private Transcript(Transcript other) {
        digest = new SHA512Digest(other.digest);
    }

    Transcript copy() {
        return new Transcript(this);
    }

    void absorb(byte[] bytes, int offset, int length) {
        digest.update(bytes, offset, length);
    }

    /** SHA-512 of everything absorbed so far. */
    byte[] hash() {
        SHA512Digest snapshot = new SHA512Digest(digest);
        byte[] out = new byte[HASH_BYTES];
        snapshot.doFinal(out, 0);
        return out;
    }
}
