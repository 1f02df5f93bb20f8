package org.m13.feedback;

/**
 * The sending rate to one peer, following what that peer's receiver sees arriving,
 * under a configured ceiling (the link's nominal rate). A pure class: the caller
 * passes each receiver report's figures and its own microsecond clock, one thread,
 * no allocation.
 *
 * <p>Loss cannot tell a slow link from a lossy one (a frame dropped at a full queue
 * and one lost on the radio look the same to the receiver), so the signal is the
 * queue delay the report carries: the smallest transit time of the interval above
 * the path's smallest. A change is judged by what it caused, not by what was already
 * on the way: a report counts for the rules below only if the frame it echoes left
 * after the change the rule would follow (the last cut, for a cut; any change, for a
 * raise):
 * <ul>
 * <li><b>a queue stands</b> (queue delay above {@value #QUEUE_DELAY_FLOOR_MICROS} us
 *     plus twice the jitter in every report for {@value #STANDING_MICROS} us): the
 *     bottleneck is busy, so the most that arrived meanwhile is its rate; pace below it, at {@value #DRAIN_PERCENT} % or, for a long queue, lower (1 %
 *     less per 10 ms of queue, down to {@value #MAX_DRAIN_PERCENT} %), so the queue
 *     drains in about a second. Only ever down: a queue still draining a round later
 *     holds the rate, since the arrival rate stays the bottleneck's while a queue
 *     stands;
 * <li><b>no queue and the pacer held frames</b> (the sender wants more than the
 *     rate): raise the rate, once a round, gently ({@value #PROBE_NEAR_PERCENT} % a round) up to
 *     10 % above the rate the last queue showed, quickly ({@value #PROBE_FAR_PERCENT} %
 *     a round) beyond, since the link may have recovered (a satellite modem back on a
 *     faster modulation);
 * <li>otherwise the rate stays: a sender that does not fill the rate learns nothing.
 * </ul>
 * The rate starts at the ceiling and stays within {@link #floor()}..{@link #ceiling()}.
 */
public final class RateFollower {
    /** Queue delay below this (plus twice the jitter) is noise, not a standing queue. */
    public static final long QUEUE_DELAY_FLOOR_MICROS = 5_000;
    /**
     * A queue must be seen this long in a row to stand: a sender's or receiver's thread
     * stalled by its machine delays a few reports' frames, not a round's.
     */
    public static final int STANDING_MICROS = 100_000;
    static final int DRAIN_PERCENT = 90;
    /** A long queue is drained faster, pacing at down to half the arrival rate. */
    static final int MAX_DRAIN_PERCENT = 50;
    static final int PROBE_NEAR_PERCENT = 5;
    static final int PROBE_FAR_PERCENT = 25;
    /** Lowest rate, whatever the reports say: a link never believed slower than this. */
    public static final long MIN_RATE_BITS_PER_SECOND = 64_000;

    private final long ceiling;
    private final long floor;
    private long rate;
    /** What arrived (bit/s) when a queue was last seen; 0 before. */
    private long knownCapacity;
    private int changedAtMicros;
    private boolean changed;
    private int cutAtMicros;
    private boolean queued;
    private int queuedSinceMicros;
    private long queuedMaxArriving;
    private boolean cut;
    private long cuts;
    private long raises;

    /** @param ceilingBitsPerSecond the configured rate, at least {@link #MIN_RATE_BITS_PER_SECOND} */
    public RateFollower(long ceilingBitsPerSecond) {
        if (ceilingBitsPerSecond < MIN_RATE_BITS_PER_SECOND) {
            throw new IllegalArgumentException("ceiling " + ceilingBitsPerSecond + " bit/s below "
                    + MIN_RATE_BITS_PER_SECOND);
        }
        this.ceiling = ceilingBitsPerSecond;
        this.floor = Math.max(MIN_RATE_BITS_PER_SECOND, ceilingBitsPerSecond / 64);
        this.rate = ceilingBitsPerSecond;
    }

    /**
     * Takes one report.
     *
     * @param arrivingBitsPerSecond what the receiver saw arriving in the report's interval,
     *     counted as the pacer counts (frames with their outer headers)
     * @param queueDelayMicros the report's queue delay
     * @param jitterMicros the report's jitter
     * @param echoMicros the report's echoed send time (our 32-bit microsecond clock)
     * @param nowMicros our 32-bit microsecond clock now
     * @param paceLimited whether the pacer held a frame since the last change
     * @return the rate to pace at from now, bit/s
     */
    public long onReport(long arrivingBitsPerSecond, long queueDelayMicros, long jitterMicros, int echoMicros,
            int nowMicros, boolean paceLimited) {
        if (queueDelayMicros > QUEUE_DELAY_FLOOR_MICROS + 2 * jitterMicros) {
            if (!queued) {
                queued = true;
                queuedSinceMicros = nowMicros;
                queuedMaxArriving = 0;
            }
            queuedMaxArriving = Math.max(queuedMaxArriving, arrivingBitsPerSecond);
            if (nowMicros - queuedSinceMicros < STANDING_MICROS || (cut && echoMicros - cutAtMicros < 0)) {
                return rate; // not standing yet (a stall), or the queue the last cut answered, still on its way
            }
            // The bottleneck was busy all along: the most that arrived meanwhile is its rate.
            knownCapacity = queuedMaxArriving;
            long drainPercent = Math.max(100 - MAX_DRAIN_PERCENT, Math.min(DRAIN_PERCENT,
                    100 - queueDelayMicros / 10_000));
            long target = clamp(queuedMaxArriving / 100 * drainPercent);
            if (target < rate) {
                change(target, nowMicros);
                cut = true;
                cutAtMicros = nowMicros;
                cuts++;
                queuedSinceMicros = nowMicros; // the next cut needs a queue standing as long again
                queuedMaxArriving = 0;
            }
        } else {
            queued = false;
            if (paceLimited && rate < ceiling && !(changed && echoMicros - changedAtMicros < 0)) {
                long near = knownCapacity + knownCapacity / 10;
                int percent = rate < near ? PROBE_NEAR_PERCENT : PROBE_FAR_PERCENT;
                change(clamp(rate + Math.max(1, rate / 100 * percent)), nowMicros);
                raises++;
            }
        }
        return rate;
    }

    private void change(long newRate, int nowMicros) {
        rate = newRate;
        changedAtMicros = nowMicros;
        changed = true;
    }

    private long clamp(long bitsPerSecond) {
        return Math.max(floor, Math.min(ceiling, bitsPerSecond));
    }

    /** The rate to pace at, bit/s. */
    public long rate() {
        return rate;
    }

    public long ceiling() {
        return ceiling;
    }

    public long floor() {
        return floor;
    }

    /** Times a standing queue lowered the rate. */
    public long cuts() {
        return cuts;
    }

    /** Times the rate was raised. */
    public long raises() {
        return raises;
    }
}
