package org.m13.wire;

/**
 * Why a received frame is unusable. Codes are stable (telemetry labels drops by
 * them); OK is 0 and every drop reason is negative, so hot paths return an int and
 * map it with {@link #of(int)} without allocating.
 */
public enum FrameStatus {
    OK(0, "ok"),
    TOO_SHORT(-1, "shorter than ETH + M13 header"),
    BAD_ETHERTYPE(-2, "EtherType is not 0x88B5"),
    BAD_MAGIC(-3, "magic is not 0xD1"),
    BAD_VERSION(-4, "unsupported version"),
    BAD_CRYPTO(-5, "unknown crypto mode"),
    RESERVED_FLAG(-6, "reserved flag bit set"),
    BAD_LENGTH(-7, "length field disagrees with frame size"),
    NONZERO_PADDING(-8, "header padding not zero");

    private static final FrameStatus[] BY_NEGATED_CODE = values();

    private final int code;
    private final String label;

    FrameStatus(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    public static FrameStatus of(int code) {
        int index = -code;
        if (index < 0 || index >= BY_NEGATED_CODE.length) {
            throw new IllegalArgumentException("no frame status " + code);
        }
        return BY_NEGATED_CODE[index];
    }
}
