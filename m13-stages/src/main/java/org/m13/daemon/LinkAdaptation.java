package org.m13.daemon;

import java.util.Locale;
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

    /**
     * The FEC, order, feedback and pacer part of a daemon's stats line (what `m13 demo
     * --satellite` and the bench harness read):
     * {@code fec-out sources=S repairs=R k=K m=M; fec-in recovered=C unrecoverable=U order held=H late=L
     * given-up=G; feedback sent=F loss=P%}, then the pacer's ceiling ({@code link.rate-mbit}),
     * the rate it follows now (the node's to the hub; the hub's slowest), the cuts standing
     * queues made and the frames that waited.
     *
     * @param peer whose reported loss and rate to show (the node: the hub), or -1 for none
     */
    public String stats(int peer) {
        StringBuilder s = new StringBuilder();
        if (fecOut == null) {
            s.append("fec-out off");
        } else {
            s.append("fec-out sources=").append(fecOut.sources()).append(" repairs=").append(fecOut.repairs())
                    .append(" k=").append(fecOut.lastK()).append(" m=").append(fecOut.lastM());
            if (fecOut.repairsSkipped() > 0) {
                s.append(" skipped=").append(fecOut.repairsSkipped());
            }
        }
        s.append("; fec-in recovered=").append(tunWriter.recovered()).append(" unrecoverable=")
                .append(tunWriter.fec().unrecoverable());
        TunReorder order = tunWriter.reorder();
        if (order != null) {
            s.append(" order held=").append(order.reordered()).append(" late=").append(order.late())
                    .append(" given-up=").append(order.givenUp());
            if (order.storeFull() + order.refusedLater() > 0) { // written out of order / refused after a hold
                s.append(" store-full=").append(order.storeFull()).append(" refused-later=")
                        .append(order.refusedLater());
            }
        }
        s.append("; feedback sent=").append(feedbackOut.sent());
        if (peer >= 0) {
            s.append(" loss=").append(String.format(Locale.ROOT, "%.2f", feedback.lossPpm(peer) / 1e4)).append('%');
        }
        if (pacer == null) {
            s.append("; pacer off");
        } else {
            s.append("; pacer ").append(pacer.bitsPerSecond() / 1_000_000).append(" Mbit/s");
            s.append(String.format(Locale.ROOT, peer >= 0 ? " now %.1f" : " slowest now %.1f",
                    (peer >= 0 ? pacer.rate(peer) : pacer.slowestRate()) / 1e6));
            s.append(" cuts=").append(pacer.cuts()).append(", frames waited ").append(pacer.paced());
        }
        return s.toString();
    }
}
