package org.m13.crypto;

/**
 * Anti-replay window for the frames received under one key: the bitmap ring of
 * RFC 6479, sized as in WireGuard and VPP.
 *
 * <p>Sequence numbers are unsigned 64-bit counters that start at 0. The window
 * remembers the highest sequence number accepted and, for the 8128 values ending
 * there, which were seen. Bit {@code seq mod 8192} of a ring of 128 longs records
 * {@code seq}:
 * <pre>
 *   seq    = | block = seq >>> 6 (58 bits) | bit = seq &amp; 63 (6 bits) |
 *   slot   = block mod 128
 *
 *   ring   slot h = (highest >>> 6) mod 128: highest and below; above it still 0
 *          slots h+1 .. h+127 (mod 128):   the 127 blocks before it
 *
 *   window highest - 8127 .. highest   (8128 = 127 * 64 values)
 * </pre>
 * The block holding {@code highest} is only partly in the window, so one block of
 * the ring is slack: the window never reaches the slot that the next block will
 * reuse. A sequence number above {@code highest} is new. Moving the window forward
 * into a later block zeroes every slot it passes over (at most all 128), so a bit
 * from an earlier lap of the ring never marks a new sequence number as seen; the
 * cost is O(blocks), not O(distance), whatever the jump. At or below {@code highest},
 * a value 8128 or more behind is {@link Status#TOO_OLD}, otherwise its bit decides.
 *
 * <p>Why check and update are separate: the receive path calls {@link #check} before
 * the AEAD open, so a replayed or stale frame is dropped for the price of a compare
 * and a bit test, with no AES work; it calls {@link #update} only after the tag
 * verified. The window must move only for authenticated frames: otherwise one forged
 * frame carrying a sequence number near 2^64 would push the window past every
 * genuine frame, which would then all be dropped as too old. {@code update} re-checks
 * because the state may have moved since the check: two copies of one frame in the
 * same receive batch both pass {@code check}, and the second {@code update} reports
 * it as a duplicate.
 *
 * <p>Threads: one thread owns a window; no locks. Neither method allocates.
 */
public final class ReplayWindow {
    private static final int BLOCK_SHIFT = 6; // 64 bits per long
    private static final int BIT_MASK = (1 << BLOCK_SHIFT) - 1;
    private static final int BLOCKS = 128;
    private static final int SLOT_MASK = BLOCKS - 1;

    /** How many sequence numbers, ending at {@link #highest()}, the window tracks: 8128. */
    public static final int WINDOW = (BLOCKS - 1) << BLOCK_SHIFT;

    /** Outcome of a check or update, with a stable id for drop counters indexed by reason. */
    public enum Status {
        ACCEPT(0, "accepted"),
        DUPLICATE(1, "sequence number already seen"),
        TOO_OLD(2, "sequence number behind the replay window");

        private final int id;
        private final String label;

        Status(int id, String label) {
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

    private final long[] ring = new long[BLOCKS];
    private long highest;

    /**
     * Whether a frame with this sequence number would be accepted; changes nothing.
     * Call before the AEAD open.
     */
    public Status check(long seq) {
        if (Long.compareUnsigned(seq, highest) > 0) {
            return Status.ACCEPT;
        }
        if (Long.compareUnsigned(highest - seq, WINDOW) >= 0) {
            return Status.TOO_OLD;
        }
        return (ring[slot(seq)] & bit(seq)) != 0 ? Status.DUPLICATE : Status.ACCEPT;
    }

    /**
     * Marks a sequence number as seen, moving the window forward if it is above
     * {@link #highest()}. Call only after the frame's tag verified. Re-checks, and
     * changes nothing unless the result is {@link Status#ACCEPT}.
     */
    public Status update(long seq) {
        if (Long.compareUnsigned(seq, highest) > 0) {
            long from = highest >>> BLOCK_SHIFT;
            long gap = (seq >>> BLOCK_SHIFT) - from; // both < 2^58: no overflow
            int clear = gap >= BLOCKS ? BLOCKS : (int) gap;
            for (int i = 1; i <= clear; i++) {
                ring[(int) ((from + i) & SLOT_MASK)] = 0;
            }
            highest = seq;
            ring[slot(seq)] |= bit(seq);
            return Status.ACCEPT;
        }
        Status status = check(seq);
        if (status == Status.ACCEPT) {
            ring[slot(seq)] |= bit(seq);
        }
        return status;
    }

    /** The highest sequence number accepted so far; 0 before the first frame. For telemetry. */
    public long highest() {
        return highest;
    }

    private static int slot(long seq) {
        return (int) ((seq >>> BLOCK_SHIFT) & SLOT_MASK);
    }

    private static long bit(long seq) {
        return 1L << (seq & BIT_MASK);
    }
}
