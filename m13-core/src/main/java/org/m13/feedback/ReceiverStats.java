package org.m13.feedback;

import java.nio.ByteBuffer;

/**
 * What a receiver measures about one incoming stream, and when it reports it: every
 * {@value #REPORT_EVERY_PACKETS} packets, and at least every 100 ms while packets
 * arrive ({@link #reportDue}). One instance per session direction, one thread, time
 * passed in (monotonic nanoseconds for intervals, a 32-bit microsecond clock for the
 * jitter estimator); no allocation.
 *
 * <p>Feed it frames that passed the replay window (so no duplicates) with their M13
 * sequence number, which counts every frame the peer sent in this direction, so any
 * gap is loss (or reordering):
 * <ul>
 * <li>{@code seq > highest + 1}: the {@code seq - highest - 1} frames between are
 *     counted lost, one loss event of that length (a burst);
 * <li>{@code seq < highest}: a late frame: one fewer lost (RFC 3550 counts the same
 *     way: lost = expected - received, so late frames cancel); bursts already counted
 *     stay, so reordering inflates the burst figures slightly;
 * <li>the first frame of the session only sets {@code highest}.
 * </ul>
 * Fraction lost = lost / expected over the interval (may be 0 with reordering across
 * intervals; clamped to 0..0xFFFF/65536), cumulative lost over the session (clamped to
 * 0..2^32-1), jitter from {@link Rfc3550Jitter}, receive rate = bytes / interval.
 */
public final class ReceiverStats {
    /** A report is due after this many packets... */
    public static final int REPORT_EVERY_PACKETS = 32;
    /** ...or this long after the previous report, if a packet arrived since. */
    public static final long REPORT_INTERVAL_NANOS = 100_000_000L;

    private final Rfc3550Jitter jitter = new Rfc3550Jitter();
    private final FeedbackReport report = new FeedbackReport();

    private boolean started;
    private long highest;
    private long cumulativeLost;

    private long intervalStartNanos;
    private long intervalHighestAtStart;
    private long intervalReceived;
    private long intervalLost;
    private long intervalLossEvents;
    private long intervalLongestBurst;
    private long intervalBytes;

    /** Starts the first interval at {@code nowNanos}. */
    public ReceiverStats(long nowNanos) {
        intervalStartNanos = nowNanos;
    }

    /**
     * Takes one received frame.
     *
     * @param seq its M13 sequence number (unsigned)
     * @param bytes its size (whatever the rate should count: M13 uses the frame length)
     * @param sendMicros the sender's 32-bit microsecond timestamp carried in the frame
     * @param arrivalMicros the receiver's 32-bit microsecond clock at arrival
     */
    public void onPacket(long seq, int bytes, int sendMicros, int arrivalMicros) {
        intervalReceived++;
        intervalBytes += bytes;
        jitter.update(sendMicros, arrivalMicros);
        if (!started) {
            started = true;
            highest = seq;
            intervalHighestAtStart = seq - 1;
            return;
        }
        if (Long.compareUnsigned(seq, highest) > 0) {
            long gap = seq - highest - 1;
            if (gap > 0) {
                intervalLost += gap;
                cumulativeLost += gap;
                intervalLossEvents++;
                intervalLongestBurst = Math.max(intervalLongestBurst, gap);
            }
            highest = seq;
        } else {
            intervalLost--;
            cumulativeLost--;
        }
    }

    /** Whether a report should go out now: 32 packets, or 100 ms with at least one packet. */
    public boolean reportDue(long nowNanos) {
        return intervalReceived >= REPORT_EVERY_PACKETS
                || (intervalReceived > 0 && nowNanos - intervalStartNanos >= REPORT_INTERVAL_NANOS);
    }

    /**
     * Writes the report for the interval ending now at absolute {@code index} of
     * {@code dst} ({@value FeedbackReport#BYTES} bytes) and starts the next interval.
     *
     * @return bytes written
     */
    public int writeReport(ByteBuffer dst, int index, long nowNanos) {
        long intervalNanos = Math.max(1, nowNanos - intervalStartNanos);
        long expected = highest - intervalHighestAtStart;
        report.wrap(dst, index)
                .highestSeq(highest)
                .cumulativeLost(clamp(cumulativeLost, 0xFFFF_FFFFL))
                .fractionLost((int) fraction(intervalLost, expected))
                .meanBurst16((int) clamp(intervalLossEvents == 0 ? 0 : intervalLost * 16 / intervalLossEvents, 0xFFFF))
                .jitterMicros(clamp(jitter.jitter(), 0xFFFF_FFFFL))
                .receiveRate(clamp(intervalBytes * 1_000_000_000L / intervalNanos, 0xFFFF_FFFFL))
                .intervalMicros(clamp(intervalNanos / 1000, 0xFFFF_FFFFL))
                .packets((int) clamp(intervalReceived, 0xFFFF))
                .longestBurst((int) clamp(intervalLongestBurst, 0xFFFF));
        intervalStartNanos = nowNanos;
        intervalHighestAtStart = highest;
        intervalReceived = 0;
        intervalLost = 0;
        intervalLossEvents = 0;
        intervalLongestBurst = 0;
        intervalBytes = 0;
        return FeedbackReport.BYTES;
    }

    /** lost / expected x 65536, clamped to 0..0xFFFF. */
    static long fraction(long lost, long expected) {
        if (lost <= 0 || expected <= 0) {
            return 0;
        }
        return Math.min(0xFFFF, (lost << 16) / expected);
    }

    private static long clamp(long value, long max) {
        return value < 0 ? 0 : Math.min(value, max);
    }

    public long highest() {
        return highest;
    }

    public long cumulativeLost() {
        return cumulativeLost;
    }

    /** Current jitter estimate in microseconds. */
    public long jitterMicros() {
        return jitter.jitter();
    }
}
