package org.m13.daemon;

import org.m13.config.FecSettings;
import org.m13.stage.Release;
import org.m13.stage.RingPipeline;
import org.m13.stage.Scatter;
import org.m13.stage.SlotPool;

/**
 * How the tunnel path adapts to the link, wired the same way in the hub and the node
 * (docs/FEC.md §11, §12): feedback-in ({@link LinkFeedback}, scatter's FEEDBACK sink)
 * and pace-out ({@link LinkPacer}, with {@code link.rate-mbit} set) exist before the
 * rings, since scatter needs the sink; {@link #attach} adds, once the rings exist,
 * feedback-out on the RX release thread ({@link FeedbackSender}), tun-order in
 * tun-write with its timer ticks from the RX ring, and fec-encode for the TUN reader
 * ({@link FecOutbound}, with {@code fec.enabled}).
 */
public final class LinkAdaptation {
    private final FecSettings fec;
    private final LinkFeedback feedback;
    private final LinkPacer pacer;
    private final int capacity;
    private FeedbackSender feedbackOut;
    private FecOutbound fecOut;
    private TunWriter tunWriter;

    /** @param rateMbit {@code link.rate-mbit}: the pacer's start and ceiling, 0 for no pacing */
    public LinkAdaptation(PeerTable peers, FecSettings fec, int rateMbit) {
        this.fec = fec;
        this.capacity = peers.capacity();
        this.feedback = new LinkFeedback(capacity, fec);
        this.pacer = rateMbit > 0 ? new LinkPacer(capacity, rateMbit * 1_000_000L) : null;
        feedback.pace(pacer); // the reports steer the rates
    }

    /**
     * Wires the rest once the rings exist (before they start).
     *
     * @param feedbackProducer the RX release thread's own TX partition
     * @param fromTun the TUN reader's producer, which fec-encode publishes through
     */
    public void attach(SlotPool rxPool, PeerTable peers, Release rxRelease, RingPipeline rx, Scatter scatter,
            TunWriter writer, TxProducer feedbackProducer, TxProducer fromTun) {
        this.tunWriter = writer;
        this.feedbackOut = new FeedbackSender(rxPool, peers, feedbackProducer);
        rxRelease.observe(feedbackOut);
        writer.reorder(fec, feedbackOut::jitterMicros, rx::wakeAt); // order restored before TUN
        scatter.timer(writer::onTimer);
        this.fecOut = fec.enabled() ? new FecOutbound(fromTun, feedback, fec, capacity, pacer) : null;
    }

    /** Scatter's FEEDBACK destination. */
    public LinkFeedback feedback() {
        return feedback;
    }

    /** The pacer, or null when {@code link.rate-mbit} is 0. */
    public LinkPacer pacer() {
        return pacer;
    }

    /** feedback-out (after {@link #attach}). */
    public FeedbackSender feedbackOut() {
        return feedbackOut;
    }

    /** fec-encode for the TUN reader, or null with {@code fec.enabled: false} (after {@link #attach}). */
    public FecOutbound fecOut() {
        return fecOut;
    }

    /** The stats line's FEC, order, feedback and pacer part ({@link Daemons#fecStats}). */
    public String stats(int peer) {
        return Daemons.fecStats(fecOut, pacer, tunWriter, feedbackOut, feedback, peer);
    }
}
