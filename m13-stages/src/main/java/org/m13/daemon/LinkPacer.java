package org.m13.daemon;

import java.util.concurrent.locks.LockSupport;
import org.m13.stage.Pacer;
import org.m13.wire.Wire;

/**
 * pace-out, on the TUN reader's thread: holds each tunnel frame (source or repair) to
 * a peer until that peer's {@link Pacer} lets it leave at {@code link.rate-mbit}, before
 * the frame is sealed. So on a link slower than the host, M13 rather than the modem's
 * queue decides what goes out: the TUN device's queue fills and the inner TCP sees
 * its own congestion at once, the link carries no queue-overflow loss, and the
 * receivers' reports (and so the FEC code) see the link's own loss. Frames held here
 * have no sequence number yet, so waiting never shows up as loss. Control, handshake
 * and feedback frames are not paced (they are few and must not wait behind bulk).
 *
 * <p>The hub has one reader for all peers: a frame waiting for its peer's rate holds
 * the frames behind it for other peers (for at most one frame's transmission time at
 * that peer's rate, plus the burst).
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

    /** @param bitsPerSecond each peer's rate */
    public LinkPacer(int capacity, long bitsPerSecond) {
        this.pacers = new Pacer[capacity];
        this.bitsPerSecond = bitsPerSecond;
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
        }
        pacer.sent(wire, now);
    }

    public long bitsPerSecond() {
        return bitsPerSecond;
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
