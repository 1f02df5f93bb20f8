package org.m13.crypto;

/**
 * Outcome of a native seal or open. The native side returns {@link #code()}; the
 * values must match the STATUS_ enum in native/src/aes_gcm.c. Used as a drop reason
 * on the receive path, so every failure has its own constant.
 */
public enum AeadStatus {
    OK(0, "ok"),
    BAD_LENGTH(-1, "frame shorter than the M13 header"),
    NOT_ENCRYPTED(-2, "crypto byte is not AES-256-GCM"),
    REFLECTED(-3, "frame carries the receiver's own direction"),
    BAD_NONCE(-4, "nonce direction or padding invalid"),
    AUTH_FAILED(-5, "authentication tag mismatch"),
    SEQ_MISMATCH(-6, "sequence in header differs from nonce"),
    CLOSED(-7, "key already closed"),
    INTERNAL(-8, "OpenSSL internal failure");

    private static final AeadStatus[] BY_NEGATED_CODE = values();

    private final int code;
    private final String label;

    AeadStatus(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    /** Maps a native return value without allocating. */
    public static AeadStatus of(int code) {
        int index = -code;
        if (index < 0 || index >= BY_NEGATED_CODE.length) {
            return INTERNAL;
        }
        return BY_NEGATED_CODE[index];
    }
}
