package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;
import org.m13.feedback.ReceiverStats;
import org.m13.stage.FrameEvent;
import org.m13.stage.Release;
import org.m13.stage.SlotPool;
import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * feedback-out, on the RX release's thread: counts every authenticated frame of each
 * peer's current session into that peer's {@link ReceiverStats} (the M13 seq counts
 * every frame of a direction, so a gap is loss or reordering; the frame's send time
 * and the arrival time feed the RFC 3550 jitter estimate) and sends the peer a
 * sealed FEEDBACK frame whenever a report is due (32 frames, or 100 ms with traffic).
 * The peer's sender adapts its FEC to it ({@link LinkFeedback}).
 *
 * <p>Release sees every frame, delivered or dropped: frames dropped before or by
 * decrypt (parse, replay, authentication) are not counted, frames a later stage
 * refused were received and are. A new session (rekey or re-join) restarts the seq
 * space, so it restarts the statistics; frames of the old key phase are then skipped.
 * The frames go out through this thread's own TX partition and never wait: waiting
 * for the TX ring here would close a cycle (RX waits for TX, TX for the link, the link
 * for the peer, whose RX waits for its TX ...). A report finding no free slot is sent
 * with the next frame; one finding the ring full is lost (counted; the cumulative
 * counters of the next report cover it) and its slot kept for the next report, since
 * only the TX release thread may free a TX slot.
 */
public final class FeedbackSender implements Release.Observer {
    private static final int CRYPTO = Wire.ETH_HEADER_BYTES + M13Header.CRYPTO_OFFSET;
    private static final int PHASE = Wire.ETH_HEADER_BYTES + M13Header.KEY_PHASE_OFFSET;
    private static final int NONCE_SEQ = Wire.ETH_HEADER_BYTES + M13Header.NONCE_OFFSET;
    private static final int SEND_TIME = Wire.ETH_HEADER_BYTES + M13Header.SEND_TIME_OFFSET;

    private final SlotPool rxPool;
    private final PeerTable peers;
    private final TxProducer out;
    private final ReceiverStats[] stats;
    private final Session[] sessions;
    private Release.Observer next = Release.Observer.NONE;
    private long sent;
    private final AtomicLongArray jitter;
    private long skipped;
    /** A slot claimed for a report the full ring refused, kept for the next one (this thread may not free it). */
    private int spare = SlotPool.NO_SLOT;

    public FeedbackSender(SlotPool rxPool, PeerTable peers, TxProducer out) {
        this.rxPool = rxPool;
        this.peers = peers;
        this.out = out;
        this.stats = new ReceiverStats[peers.capacity()];
        this.sessions = new Session[peers.capacity()];
        this.jitter = new AtomicLongArray(peers.capacity());
    }

    /** Another observer to call after this one (per-peer telemetry); before the ring starts. */
    public void chain(Release.Observer then) {
        this.next = java.util.Objects.requireNonNull(then, "then");
    }

    @Override
    public void onRelease(FrameEvent event) {
        count(event);
        next.onRelease(event);
    }

    private void count(FrameEvent event) {
        int peer = event.peer();
        if (peer < 0 || peer >= stats.length
                || (event.isDropped() && event.drop().id() < DropReason.CLEARTEXT_REFUSED.id())
                || event.length() < Wire.MIN_FRAME_BYTES) {
            return;
        }
        ByteBuffer b = rxPool.buffer();
        int frame = rxPool.base(event.slot()) + event.offset();
        if (b.get(frame + CRYPTO) != Wire.CRYPTO_AES_256_GCM) {
            return; // cleartext: registration, handshake; not in the seq space
        }
        Session current = peers.session(peer);
        if (current == null || current.phase() != (b.get(frame + PHASE) & 1)) {
            return;
        }
        long now = System.nanoTime();
        ReceiverStats s = stats[peer];
        if (sessions[peer] != current || s == null) {
            s = new ReceiverStats(now); // once per session
            stats[peer] = s;
            sessions[peer] = current;
        }
        // Arrival: when the poller took it off the link, not now (this thread runs after
        // decrypt and the TUN write, whose stalls are not the path's queue or jitter).
        s.onPacket(b.getLong(frame + NONCE_SEQ), event.length(), b.getInt(frame + SEND_TIME),
                (int) (event.rxNanos() / 1000));
        if (s.reportDue(now)) {
            int slot = spare != SlotPool.NO_SLOT ? spare : out.claim();
            spare = SlotPool.NO_SLOT;
            if (slot == SlotPool.NO_SLOT) {
                skipped++;
                return;
            }
            jitter.lazySet(peer, s.jitterMicros());
            int length = s.writeReport(out.pool().buffer(), out.bodyIndex(slot), now);
            if (out.tryPublish(slot, peer, Flags.FEEDBACK, length, true, now)) {
                sent++;
            } else {
                spare = slot; // the TX ring is full: this report is lost (the next covers its interval too)
                skipped++;
            }
        }
    }

    /** The interarrival jitter measured on {@code peer}'s frames at its latest report, us (any thread). */
    public long jitterMicros(int peer) {
        return jitter.get(peer);
    }

    /** Reports sent. */
    public long sent() {
        return sent;
    }

    /** Whether a TX slot is held for the next report (a full ring refused the last one). */
    public boolean holdsSlot() {
        return spare != SlotPool.NO_SLOT;
    }

    /** Reports due that found no free TX slot (sent later) or a full TX ring (lost). */
    public long skipped() {
        return skipped;
    }
}
