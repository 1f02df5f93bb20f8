package org.m13.telemetry;

/** What a record counts; the code is the record's kind field. */
public enum RecordKind {
    FREE(0),
    STAGE(1),
    PEER(2);

    private final int code;

    RecordKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind with this code; {@link #FREE} for a code this build does not know. */
    public static RecordKind of(int code) {
        return switch (code) {
            case 1 -> STAGE;
            case 2 -> PEER;
            default -> FREE;
        };
    }
}
