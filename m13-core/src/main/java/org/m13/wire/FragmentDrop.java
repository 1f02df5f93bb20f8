package org.m13.wire;

/**
 * Why {@link Assembler} dropped a fragment or an incomplete message. Ids are stable
 * (they name counters in stats output); add new reasons at the end, never renumber.
 * Duplicates are not here: they are normal on a lossy link with retransmission and
 * have their own counter.
 */
public enum FragmentDrop {
    TRUNCATED(1, "fewer bytes than the fragment header and its declared length"),
    BAD_TOTAL(2, "total is 0 or above 7"),
    BAD_INDEX(3, "index not below total"),
    BAD_LENGTH(4, "chunk length 0 or above 1402"),
    BAD_OFFSET(5, "offset is not index * 1402"),
    SHORT_CHUNK(6, "a fragment other than the last is not exactly 1402 bytes"),
    TOO_LONG(7, "offset + length beyond 9216"),
    TOTAL_MISMATCH(8, "total differs from earlier fragments of the message"),
    LENGTH_MISMATCH(9, "last fragment again, with a different message length"),
    NO_SLOT(10, "every slot holds a completed message not yet released"),
    EVICTED(11, "incomplete message evicted: all slots busy and a new message arrived"),
    EXPIRED(12, "incomplete message older than 5 s");

    private final int id;
    private final String label;

    FragmentDrop(int id, String label) {
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
