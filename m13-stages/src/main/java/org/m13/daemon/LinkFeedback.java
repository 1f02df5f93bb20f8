package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;
import org.m13.config.FecSettings;
import org.m13.feedback.FeedbackReport;
import org.m13.fec.FecPolicy;
import org.m13.stage.FrameEvent;
import org.m13.stage.Sink;
import org.m13.telemetry.DropReason;

/**
 * feedback-in: scatter's FEEDBACK destination. Each report a peer's receiver sends
 * about what arrives from us re-chooses the FEC code we send that peer
 * ({@link FecPolicy}, one per peer, this thread only) and updates the peer's loss,
 * jitter and receive-rate gauges, and steers that peer's pacing rate
 * ({@link LinkPacer#onReport}). The chosen (k, m) is published per peer for the
 * TUN reader, which starts every generation with the plan current at that moment.
 *
 * <p>Threads: {@link #deliver} runs on scatter's thread; {@link #plan} is read by the
 * TUN reader; the gauges by the stats line. No allocation per report after a peer's
 * first one.
 */
public final class LinkFeedback implements Sink {
    /** Telemetry hook: the scatter thread's per-peer feedback record. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (peer, lost, lossPpm, jitterNanos) -> {
        };

        void onReport(int peer, long lost, long lossPpm, long jitterNanos);
    }

    private final FecSettings settings;
    private final FecPolicy[] policies;
    private final long[] lastCumulativeLost;
    private final AtomicLongArray plans;
    private final AtomicLongArray reports;
    private final AtomicLongArray lossPpm;
    private final AtomicLongArray jitterMicros;
    private final AtomicLongArray receiveRate;
    private final AtomicLongArray lost;
    private final FeedbackReport report = new FeedbackReport();
    private Observer observer = Observer.NONE;
    private LinkPacer pacer;

    public LinkFeedback(int capacity, FecSettings settings) {
        this.settings = settings;
        policies = new FecPolicy[capacity];
        lastCumulativeLost = new long[capacity];
        plans = new AtomicLongArray(capacity);
        reports = new AtomicLongArray(capacity);
        lossPpm = new AtomicLongArray(capacity);
        jitterMicros = new AtomicLongArray(capacity);
        receiveRate = new AtomicLongArray(capacity);
        lost = new AtomicLongArray(capacity);
    }

    /** Lets the reports steer {@code pacer}'s per-peer rates (before the rings start). */
    public void pace(LinkPacer pacer) {
        this.pacer = pacer;
    }

    /** Installs the telemetry hook (before the rings start). */
    public void observe(Observer observer) {
        this.observer = observer;
    }

    @Override
    public DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
        int peer = event.peer();
        if (bodyLength != FeedbackReport.BYTES) {
            return DropReason.BAD_FEEDBACK;
        }
        if (peer < 0 || peer >= policies.length) {
            return DropReason.UNKNOWN_PEER;
        }
        report.wrap(buffer, bodyIndex);
        FecPolicy policy = policies[peer];
        if (policy == null) {
            policy = new FecPolicy(settings.targetResidual(), settings.maxK()); // once per peer
            policies[peer] = policy;
        }
        policy.onReport(report.fractionLost(), report.meanBurst16());
        plans.set(peer, pack(policy.k(), policy.m(), policy.designLoss()));
        long cumulative = report.cumulativeLost();
        long newlyLost = Math.max(0, cumulative - lastCumulativeLost[peer]);
        lastCumulativeLost[peer] = cumulative;
        long ppm = (report.fractionLost() * 1_000_000L) >>> 16;
        lost.lazySet(peer, lost.get(peer) + newlyLost);
        lossPpm.lazySet(peer, ppm);
        jitterMicros.lazySet(peer, report.jitterMicros());
        receiveRate.lazySet(peer, report.receiveRate());
        reports.lazySet(peer, reports.get(peer) + 1);
        if (pacer != null) {
            pacer.onReport(peer, report, System.nanoTime());
        }
        observer.onReport(peer, newlyLost, ppm, report.jitterMicros() * 1000);
        return DropReason.NONE;
    }

    /**
     * The code to use for the next generation to {@code peer}: {@link #k}, {@link #m}
     * and {@link #designLoss} of it; 0 before any report.
     */
    public long plan(int peer) {
        return plans.get(peer);
    }

    static long pack(int k, int m, double designLoss) {
        long ppm = Math.round(designLoss * 1e6);
        return ppm << 16 | (long) k << 8 | m;
    }

    /** k of a packed plan, or {@code fallback} when no report arrived yet. */
    public static int k(long plan, int fallback) {
        return plan == 0 ? fallback : (int) (plan >>> 8) & 0xFF;
    }

    /** m of a packed plan. */
    public static int m(long plan) {
        return (int) plan & 0xFF;
    }

    /** The loss rate the plan was designed for (0..0.5). */
    public static double designLoss(long plan) {
        return (plan >>> 16) / 1e6;
    }

    /** Reports received from {@code peer}. */
    public long reports(int peer) {
        return reports.get(peer);
    }

    /** The latest loss fraction the peer reported, parts per million. */
    public long lossPpm(int peer) {
        return lossPpm.get(peer);
    }

    /** Frames the peer reported lost, in all. */
    public long lost(int peer) {
        return lost.get(peer);
    }

    /** The latest interarrival jitter the peer reported, microseconds. */
    public long jitterMicros(int peer) {
        return jitterMicros.get(peer);
    }

    /** The latest receive rate the peer reported, bytes per second. */
    public long receiveRate(int peer) {
        return receiveRate.get(peer);
    }
}
