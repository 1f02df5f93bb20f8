package org.m13.daemon;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.m13.feedback.FeedbackReport;
import org.m13.feedback.RateFollower;
import org.m13.stage.Pacer;
import org.m13.wire.Wire;

/**
 * pace-out, on the TUN reader's thread: holds each tunnel frame (source or repair) to
 * a peer until that peer's {@link Pacer} lets it leave, before the frame is sealed.
 * The rate starts at {@code link.rate-mbit} (the link's nominal rate, a ceiling) and
 * follows what the peer's receiver reports arriving ({@link RateFollower}: below it
 * while a queue stands on the path, probing back up when none does), so a link that
 * turns slower than configured (a modem on a lower modulation, a shared radio
 * channel) is paced at what it carries. So on a link slower than the host, M13
 * rather than the modem's queue decides what goes out: the TUN device's queue fills and the inner TCP sees
 * its own congestion at once, the link carries no queue-overflow loss, and the
 * receivers' reports (and so the FEC code) see the link's own loss. Frames held here
 * have no sequence number yet, so waiting never shows up as loss. Control, handshake
 * and feedback frames are not paced (they are few and must not wait behind bulk).
 *
 * <p>The hub has one reader for all peers: a frame waiting for its peer's rate holds
 * the frames behind it for other peers (for at most one frame's transmission time at
 * that peer's rate, plus the burst).
 *
 * <p>Threads: {@link #admit} on the TUN reader's; {@link #onReport} on scatter's (the
 * followers are its own), which publishes each peer's rate for the reader.
 */
public final class LinkPacer {
    /** Outer Ethernet, IPv4 and UDP around each M13 frame on the wire. */
    static final int WIRE_OVERHEAD = Wire.UDP_HUB_FRAME_OFFSET;
    /** Bytes that may leave back to back after an idle period: 16 full frames. */
    static final int BURST_BYTES = 16 * 1514;
    private static final long SPIN_BELOW_NANOS = 100_000;
    private static final long WAKE_EARLY_NANOS = 50_000;

    private final Pacer[] pacers;
    private final long bitsPerSecond;
    private long paced;
    private long waitedNanos;
    /** Per peer: the rate to pace at (the ceiling until the follower chose), written by scatter's thread. */
    private final AtomicLongArray rates;
    /** Per peer: frames that waited, written by the reader, read by scatter's thread. */
    private final AtomicLongArray held;
    private final RateFollower[] followers;
    private final long[] heldAtChange;

    /** @param bitsPerSecond each peer's starting rate and ceiling */
    public LinkPacer(int capacity, long bitsPerSecond) {
        this.pacers = new Pacer[capacity];
        this.bitsPerSecond = bitsPerSecond;
        this.rates = new AtomicLongArray(capacity);
        for (int peer = 0; peer < capacity; peer++) {
            rates.set(peer, bitsPerSecond);
        }
        this.held = new AtomicLongArray(capacity);
        this.followers = new RateFollower[capacity];
        this.heldAtChange = new long[capacity];
    }

    /**
     * A report from {@code peer}'s receiver (scatter's thread): the follower re-chooses
     * that peer's rate from what arrived, the queue delay and the jitter.
     */
    public void onReport(int peer, FeedbackReport report, long nowNanos) {
        RateFollower follower = followers[peer];
        if (follower == null) {
            follower = new RateFollower(bitsPerSecond); // once per peer
            followers[peer] = follower;
        }
        long interval = Math.max(1, report.intervalMicros());
        long arrivingBytes = report.receiveRate() + report.packets() * (long) WIRE_OVERHEAD * 1_000_000L / interval;
        long heldNow = held.get(peer);
        long before = follower.rate();
        long rate = follower.onReport(arrivingBytes * 8, report.queueDelayMicros(), report.jitterMicros(),
                report.echoMicros(), (int) (nowNanos / 1000), heldNow != heldAtChange[peer]);
        if (rate != before) {
            heldAtChange[peer] = heldNow;
            rates.lazySet(peer, rate);
        }
    }

    /** Waits until a frame of {@code frameBytes} may leave to {@code peer}, and charges it. */
    public void admit(int peer, int frameBytes) {
        Pacer pacer = pacers[peer];
        if (pacer == null) {
            pacer = new Pacer(bitsPerSecond, BURST_BYTES); // once per peer
            pacers[peer] = pacer;
        }
        int wire = frameBytes + WIRE_OVERHEAD;
        long now = System.nanoTime();
        long rate = rates.get(peer);
        if (rate != pacer.rateBitsPerSecond()) {
            pacer.rate(rate, now);
        }
        long departure = pacer.departureNanos(wire, now);
        if (departure > now) {
            long start = now;
            do {
                long wait = departure - now;
                if (wait > SPIN_BELOW_NANOS) {
                    LockSupport.parkNanos(wait - WAKE_EARLY_NANOS);
                } else {
                    Thread.onSpinWait();
                }
                now = System.nanoTime();
            } while (now < departure);
            waitedNanos += now - start;
            paced++;
            held.lazySet(peer, held.get(peer) + 1);
        }
        pacer.sent(wire, now);
    }

    /** The configured rate: each peer's start and ceiling. */
    public long bitsPerSecond() {
        return bitsPerSecond;
    }

    /** The rate {@code peer} is paced at now (scatter's choice; the ceiling before any). */
    public long rate(int peer) {
        return rates.get(peer);
    }

    /** The lowest rate any peer is paced at now (the hub's stats line); the ceiling before any report. */
    public long slowestRate() {
        long slowest = bitsPerSecond;
        for (int peer = 0; peer < followers.length; peer++) {
            if (followers[peer] != null) {
                slowest = Math.min(slowest, rate(peer));
            }
        }
        return slowest;
    }

    /** Times standing queues lowered a rate, all peers (scatter's thread's count, read racily). */
    public long cuts() {
        long sum = 0;
        for (RateFollower f : followers) {
            sum += f == null ? 0 : f.cuts();
        }
        return sum;
    }

    /** Frames that had to wait for their departure time. */
    public long paced() {
        return paced;
    }

    /** Time spent waiting, in all. */
    public long waitedNanos() {
        return waitedNanos;
    }
}
