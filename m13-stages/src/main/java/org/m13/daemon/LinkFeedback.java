package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
 * jitter and receive-rate gauges. The chosen (k, m) is published per peer for the
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
    private final AtomicIntegerArray plans;
    private final AtomicLongArray reports;
    private final AtomicLongArray lossPpm;
    private final AtomicLongArray jitterMicros;
    private final AtomicLongArray receiveRate;
    private final AtomicLongArray lost;
    private final FeedbackReport report = new FeedbackReport();
    private Observer observer = Observer.NONE;

    public LinkFeedback(int capacity, FecSettings settings) {
        this.settings = settings;
        policies = new FecPolicy[capacity];
        lastCumulativeLost = new long[capacity];
        plans = new AtomicIntegerArray(capacity);
        reports = new AtomicLongArray(capacity);
        lossPpm = new AtomicLongArray(capacity);
        jitterMicros = new AtomicLongArray(capacity);
        receiveRate = new AtomicLongArray(capacity);
        lost = new AtomicLongArray(capacity);
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
        plans.set(peer, pack(policy.k(), policy.m()));
        long cumulative = report.cumulativeLost();
        long newlyLost = Math.max(0, cumulative - lastCumulativeLost[peer]);
        lastCumulativeLost[peer] = cumulative;
        long ppm = (report.fractionLost() * 1_000_000L) >>> 16;
        lost.lazySet(peer, lost.get(peer) + newlyLost);
        lossPpm.lazySet(peer, ppm);
        jitterMicros.lazySet(peer, report.jitterMicros());
        receiveRate.lazySet(peer, report.receiveRate());
        reports.lazySet(peer, reports.get(peer) + 1);
        observer.onReport(peer, newlyLost, ppm, report.jitterMicros() * 1000);
        return DropReason.NONE;
    }

    /** The (k, m) to use for the next generation to {@code peer}: {@link #k}, {@link #m}; 0 before any report. */
    public int plan(int peer) {
        return plans.get(peer);
    }

    static int pack(int k, int m) {
        return k << 8 | m;
    }

    /** k of a packed plan, or {@code fallback} when no report arrived yet. */
    public static int k(int plan, int fallback) {
        return plan == 0 ? fallback : plan >>> 8;
    }

    /** m of a packed plan (0 before any report: no repair until the receiver says there is loss). */
    public static int m(int plan) {
        return plan & 0xFF;
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
