package org.m13.linkem;

/**
 * One direction of the emulated link as a pure function of (arrival time, frame
 * size, seed): no sockets, no clock. For each received frame, in this order:
 * <ol>
 * <li>the random-loss draw and the Gilbert–Elliott step and draw are made (always,
 *     so the loss pattern depends only on the seed and the frame's index);</li>
 * <li>a lost frame is dropped at the input, taking no queue space or link time;</li>
 * <li>a frame the relay could not store (no free slot, too large) is dropped;</li>
 * <li>drop-tail: a frame finding the rate limiter's backlog at the queue limit is dropped;</li>
 * <li>otherwise it is serialised at the rate and then delayed by delay ± jitter;
 *     unless reordering is allowed its departure is at least the previous frame's.</li>
 * </ol>
 */
public final class LinkDirection {
    private final LinkParams params;
    private final BernoulliLoss random;
    private final GilbertElliottLoss ge;
    private final JitterDelay delay;
    private final RateLimiter rate;
    private final Counters counters = new Counters();
    private long lastDeparture = Long.MIN_VALUE;
    private long departure;

    public LinkDirection(LinkParams params, Seeds.Streams streams) {
        this.params = params;
        this.random = params.loss() > 0 ? new BernoulliLoss(params.loss(), streams.loss()) : null;
        this.ge = params.ge() != null ? new GilbertElliottLoss(params.ge(), streams.ge()) : null;
        this.delay = new JitterDelay(params.delayNanos(), params.jitterNanos(), streams.jitter());
        this.rate = new RateLimiter(params.rateBitsPerSecond(), params.queueLimit());
    }

    public LinkParams params() {
        return params;
    }

    public Counters counters() {
        return counters;
    }

    /**
     * Decides a frame of {@code frameBytes} received at {@code now}. {@code storage}
     * is {@link Verdict#FORWARD} when the relay holds it in a slot, or the reason it
     * cannot ({@link Verdict#NO_SLOT}, {@link Verdict#OVERSIZE}). Counts the frame as
     * received and, unless the verdict is FORWARD, its drop reason; on FORWARD the
     * departure time is {@link #departure()} (the caller counts FORWARDED when sent).
     */
    public Verdict admit(long now, int frameBytes, Verdict storage) {
        counters.increment(Counter.RECEIVED);
        boolean lostRandom = random != null && random.lose();
        boolean lostGe = ge != null && ge.lose();
        Verdict verdict;
        if (lostRandom) {
            verdict = Verdict.LOST_RANDOM;
        } else if (lostGe) {
            verdict = Verdict.LOST_GE;
        } else if (storage != Verdict.FORWARD) {
            verdict = storage;
        } else if (rate.full(now)) {
            verdict = Verdict.QUEUE_FULL;
        } else {
            long leaves = rate.transmit(now, frameBytes) + delay.next();
            if (!params.reorder() && leaves < lastDeparture) {
                leaves = lastDeparture;
            }
            lastDeparture = Math.max(lastDeparture, leaves);
            departure = leaves;
            return Verdict.FORWARD;
        }
        counters.increment(verdict.counter());
        return verdict;
    }

    /** Departure time of the last frame {@link #admit} forwarded. */
    public long departure() {
        return departure;
    }

    /** Counts a frame that left (or could not be sent) at its departure. */
    void sent(boolean ok) {
        counters.increment(ok ? Counter.FORWARDED : Counter.SEND_FAILED);
    }

    void receiveError() {
        counters.increment(Counter.RECEIVE_ERRORS);
    }
}
