package org.m13.fec;

/**
 * Why {@link FecDecoder} dropped a symbol. Ids are stable (they name counters in
 * stats output); add new reasons at the end, never renumber. Duplicates and repairs
 * that add nothing are not drops: they are normal and have their own counter.
 */
public enum FecDrop {
    TRUNCATED(1, "fewer bytes than the FEC header"),
    NONZERO_RESERVED(2, "reserved header byte not zero"),
    BAD_K(3, "k is 0 or above 32"),
    BAD_M(4, "m above 32"),
    BAD_INDEX(5, "index not below k + m, or a source index not below the generation's k"),
    TOO_LONG(6, "symbol longer than the decoder's capacity"),
    SHORT_REPAIR(7, "repair payload shorter than its 2-byte length prefix"),
    WRONG_GENERATION(8, "symbol of another generation than the decoder's"),
    K_MISMATCH(9, "repair's k differs from earlier repairs, or is not above a source index held"),
    SEED_MISMATCH(10, "repair's seed differs from earlier repairs of the generation"),
    CORRUPT(11, "a recovered symbol's length prefix exceeds the generation's width");

    private final int id;
    private final String label;

    FecDrop(int id, String label) {
        this.id = id;
        this.label = label;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    static int maxId() {
        int max = 0;
        for (FecDrop reason : values()) {
            max = Math.max(max, reason.id());
        }
        return max;
    }
}
