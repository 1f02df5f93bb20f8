package org.m13.feedback;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a receiver measures about one incoming stream, and when it reports it: every
 * {@value #REPORT_EVERY_PACKETS} packets, and at least every 100 ms while packets
 * arrive ({@link #reportDue}). One instance per session direction, one thread, time
 * passed in (monotonic nanoseconds for intervals, a 32-bit microsecond clock for the
 * jitter estimator); no allocation.
 *
 * <p>Feed it frames that passed the replay window (so no duplicates) with their M13
 * sequence number, which counts every frame the peer sent in this direction, so any
 * gap is loss (or reordering). Reordering is not loss: like an RTP receiver, a
 * sequence number counts as lost only once it is {@value #REORDER_WINDOW} or more
 * behind the highest seen without having arrived (a 64-bit received map behind the
 * highest; at 10 000 frames/s the window spans 6.4 ms of reordering):
 * <ul>
 * <li>{@code seq > highest}: the window slides; every sequence number leaving it
 *     that never arrived is counted lost, consecutive ones forming one loss event
 *     (a burst);
 * <li>{@code seq < highest}, within the window: a reordered frame, marked received:
 *     no loss is ever counted for it;
 * <li>{@code seq} older than the window: a frame later than the window, already
 *     counted lost: one fewer lost (as RFC 3550, lost = expected - received);
 * <li>the first frame of the session only sets {@code highest}.
 * </ul>
 * Loss is therefore reported {@value #REORDER_WINDOW} frames late (and the last
 * {@value #REORDER_WINDOW} frames of a session are never judged). Fraction lost = lost
 * / expected over the interval, both counted over the frames that left the window in
 * it (clamped to 0..0xFFFF/65536), cumulative lost over the session (clamped to
 * 0..2^32-1), jitter from {@link Rfc3550Jitter}, receive rate = bytes / interval.
 *
 * <p>Queue delay: the transit time of a frame (arrival minus its send time; the two
 * clocks' offset is unknown but constant) is smallest when no queue stands on the
 * path. The report gives the interval's smallest transit above the smallest of the
 * last {@value #BASE_BUCKETS} buckets of 2^20 us (~8.4 s, so clock drift and a route
 * change age out), and echoes the send time of the frame that arrived last, which
 * tells the sender which of its own sending the report describes.
 */
public final class ReceiverStats {
    /** A report is due after this many packets... */
    public static final int REPORT_EVERY_PACKETS = 32;
    /** ...or this long after the previous report, if a packet arrived since. */
    public static final long REPORT_INTERVAL_NANOS = 100_000_000L;
    /** Frames a sequence number may lag the highest before it counts as lost. */
    public static final int REORDER_WINDOW = 64;
    /** Buckets of the smallest transit time kept for the base of the queue delay. */
    public static final int BASE_BUCKETS = 8;
    private static final int BUCKET_SHIFT = 20;
    private static final int BUCKET_NUMBERS = (1 << (32 - BUCKET_SHIFT)) - 1;

    private final Rfc3550Jitter jitter = new Rfc3550Jitter();
    private final FeedbackReport report = new FeedbackReport();

    private boolean started;
    private long highest;
    private long cumulativeLost;
    /** Bit i: frame {@code highest - i} arrived (frames before the first count as arrived). */
    private long received = -1L;
    /** Missing frames that have just left the window in a row (the current burst). */
    private long run;

    private long intervalStartNanos;
    private long intervalHighestAtStart;
    private long intervalReceived;
    private long intervalLost;
    private long intervalLossEvents;
    private long intervalLongestBurst;
    private long intervalBytes;

    /** Smallest transit (us, offset by the clocks' difference) per bucket; ring by bucket number. */
    private final int[] bucketMin = new int[BASE_BUCKETS];
    private int bucket;
    private int bucketsFilled;
    private int intervalMinTransit;
    private boolean intervalHasTransit;
    private int lastSendMicros;

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
        transit(sendMicros, arrivalMicros);
        if (!started) {
            started = true;
            highest = seq;
            intervalHighestAtStart = seq - 1;
            return;
        }
        long ahead = seq - highest;
        if (ahead == 0) {
            return; // the same frame again: the replay window should not let it through
        }
        if (ahead > 0) {
            slide(ahead);
            highest = seq;
        } else if (-ahead < REORDER_WINDOW) {
            received |= 1L << -ahead; // reordered, within the window: never counted lost
        } else {
            intervalLost--; // later than the window: it was counted lost
            cumulativeLost--;
        }
    }

    private void transit(int sendMicros, int arrivalMicros) {
        int t = arrivalMicros - sendMicros;
        int b = arrivalMicros >>> BUCKET_SHIFT;
        int step = (b - bucket) & BUCKET_NUMBERS;
        if (bucketsFilled == 0 || step >= BASE_BUCKETS) {
            Arrays.fill(bucketMin, t); // first frame, or idle for longer than the window
            bucketsFilled = 1;
            bucket = b;
        } else if (step > 0) {
            for (int i = 1; i <= step; i++) {
                bucketMin[(bucket + i) & (BASE_BUCKETS - 1)] = t;
            }
            bucketsFilled = Math.min(BASE_BUCKETS, bucketsFilled + step);
            bucket = b;
        } else if (t - bucketMin[b & (BASE_BUCKETS - 1)] < 0) {
            bucketMin[b & (BASE_BUCKETS - 1)] = t;
        }
        if (!intervalHasTransit || t - intervalMinTransit < 0) {
            intervalMinTransit = t;
            intervalHasTransit = true;
        }
        lastSendMicros = sendMicros;
    }

    /** The interval's smallest transit above the base (smallest of the buckets kept), us; 0 without frames. */
    long queueDelayMicros() {
        if (!intervalHasTransit) {
            return 0;
        }
        int base = intervalMinTransit;
        for (int i = 0; i < bucketsFilled; i++) {
            int m = bucketMin[(bucket - i) & (BASE_BUCKETS - 1)];
            if (m - base < 0) {
                base = m;
            }
        }
        return (long) (intervalMinTransit - base); // int arithmetic: the clocks wrap
    }

    /** Moves the window {@code ahead} (>= 1) frames forward, judging those that leave it. */
    private void slide(long ahead) {
        int leaving = (int) Math.min(ahead, REORDER_WINDOW);
        for (int i = REORDER_WINDOW - 1; i >= REORDER_WINDOW - leaving; i--) {
            leave((received >>> i & 1) != 0 ? 0 : 1);
        }
        if (ahead > REORDER_WINDOW) {
            // Frames beyond the old highest that leave without having entered the window.
            leave(ahead - REORDER_WINDOW);
            received = 1;
        } else {
            received = ahead == REORDER_WINDOW ? 1 : received << ahead | 1;
        }
    }

    /** A frame leaves the window: arrived ({@code missing} 0) or {@code missing} frames lost. */
    private void leave(long missing) {
        if (missing == 0) {
            run = 0;
            return;
        }
        if (run == 0 || intervalLossEvents == 0) {
            intervalLossEvents++; // a new burst, or one running on into this interval
        }
        run += missing;
        intervalLost += missing;
        cumulativeLost += missing;
        intervalLongestBurst = Math.max(intervalLongestBurst, run);
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
                .longestBurst((int) clamp(intervalLongestBurst, 0xFFFF))
                .queueDelayMicros(queueDelayMicros())
                .echoMicros(lastSendMicros);
        intervalStartNanos = nowNanos;
        intervalHighestAtStart = highest;
        intervalReceived = 0;
        intervalLost = 0;
        intervalLossEvents = 0;
        intervalLongestBurst = 0;
        intervalBytes = 0;
        intervalHasTransit = false;
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
