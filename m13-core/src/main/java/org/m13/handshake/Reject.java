package org.m13.handshake;

/**
 * Why a handshake message was refused: a drop reason with a stable id and label, for
 * counters. A refused message changes no state unless the reason says so (EXPIRED
 * ends the attempt); in particular an attempt keeps waiting for the genuine message
 * after a forged one, so an injected packet cannot abort a handshake.
 */
public enum Reject {
    BAD_LENGTH(1, "message length is not the length of its type"),
    BAD_TYPE(2, "unknown or unexpected message type"),
    BAD_VERSION(3, "unsupported handshake version"),
    BAD_MAC(4, "DoS-guard MAC of the ClientHello is wrong"),
    UNKNOWN_NODE(5, "key identifier is not on the allow-list"),
    BAD_KEY_SHARE(6, "ephemeral public key refused (X25519 all-zero result or ML-KEM modulus check)"),
    BAD_SIGNATURE(7, "ML-DSA-87 signature over the transcript does not verify with the pinned or allowed key"),
    BAD_CONFIRM(8, "key confirmation of the Finished is wrong"),
    NO_ATTEMPT(9, "no handshake attempt pending for this node and source"),
    WRONG_STATE(10, "message not expected in this state"),
    EXPIRED(11, "attempt passed its deadline"),
    BUSY(12, "too many attempts pending"),
    BAD_COOKIE(13, "CookieReply does not open under the pinned hub key and this ClientHello's mac1"),
    RATE_LIMITED(14, "too many handshakes from this source");

    private final int id;
    private final String label;

    Reject(int id, String label) {
        this.id = id;
        this.label = label;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }
}
