package org.m13.linkem;

/** Per-direction counters, with stable labels for the once-a-second line. */
public enum Counter {
    RECEIVED(0, "rx"),
    FORWARDED(1, "fwd"),
    LOST_RANDOM(2, "lost"),
    LOST_GE(3, "ge-lost"),
    QUEUE_FULL(4, "queue-full"),
    NO_SLOT(5, "no-slot"),
    OVERSIZE(6, "oversize"),
    /** The output socket refused the frame (would block, or -errno); the frame is dropped. */
    SEND_FAILED(7, "send-failed"),
    /** The input socket returned -errno. */
    RECEIVE_ERRORS(8, "rx-errors");

    /** Number of counters (ids are 0 .. COUNT-1). */
    public static final int COUNT = 9;

    private final int id;
    private final String label;

    Counter(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Stable index of this counter. */
    public int id() {
        return id;
    }

    public String label() {
        return label;
    }
}
