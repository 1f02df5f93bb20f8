package org.m13.daemon;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.m13.stage.FrameEvent;
import org.m13.stage.Release;
import org.m13.telemetry.PeerRecord;
import org.m13.telemetry.TelemetryWriter;

/**
 * Per-peer counters in the telemetry file: frames and bytes accepted from each peer and
 * its drops by reason (the RX ring's release sees every frame with its peer and fate),
 * frames and bytes sent to it (the TX ring's release). One record per peer and ring,
 * named {@code <peer>/rx} and {@code <peer>/tx}, each written only by that ring's
 * release thread (one seqlock update per frame, no allocation), {@code <peer>/hs},
 * the control thread's: handshake fragments sent again (retransmissions and repairs),
 * and {@code <peer>/fb}, scatter's: the loss and jitter the peer reports of what we send.
 *
 * <p>The control thread binds a peer index to a name when the session is established
 * and unbinds it on eviction; a name keeps its records across sessions (a node that
 * comes back continues its counts).
 */
public final class PeerTelemetry {
    private final TelemetryWriter writer;
    private final AtomicReferenceArray<PeerRecord> rx;
    private final AtomicReferenceArray<PeerRecord> tx;
    /** Scatter's records ({@code <peer>/fb}): what the peer reports receiving from us. */
    private final AtomicReferenceArray<PeerRecord> feedback;
    /** The control thread's own records ({@code <peer>/hs}): handshake retransmissions. */
    private final PeerRecord[] handshake;
    /** Retransmissions to a peer slot before its handshake named it; flushed into its record at bind. */
    private final long[] unnamedRetransmits;
    private final Map<String, PeerRecord[]> byName = new HashMap<>();

    public PeerTelemetry(TelemetryWriter writer, int capacity) {
        this.writer = writer;
        this.rx = new AtomicReferenceArray<>(capacity);
        this.tx = new AtomicReferenceArray<>(capacity);
        this.feedback = new AtomicReferenceArray<>(capacity);
        this.handshake = new PeerRecord[capacity];
        this.unnamedRetransmits = new long[capacity];
    }

    /** Observes the RX ring's release: accepted frames and drops per peer. */
    public Release.Observer rxObserver() {
        return this::onRx;
    }

    /** Observes the TX ring's release: frames sent per peer. */
    public Release.Observer txObserver() {
        return this::onTx;
    }

    /** Observes the feedback reports (scatter's thread): loss and jitter gauges per peer. */
    public LinkFeedback.Observer feedbackObserver() {
        return this::onFeedback;
    }

    private void onFeedback(int peer, long lost, long lossPpm, long jitterNanos) {
        PeerRecord record = peer >= 0 && peer < feedback.length() ? feedback.get(peer) : null;
        if (record != null) {
            record.feedback(lost, lossPpm, 0, jitterNanos);
        }
    }

    private void onRx(FrameEvent event) {
        int peer = event.peer();
        if (peer < 0 || peer >= rx.length()) {
            return;
        }
        PeerRecord record = rx.get(peer);
        if (record == null) {
            return;
        }
        if (event.isDropped()) {
            record.drop(event.drop());
        } else {
            record.received(event.length());
        }
    }

    private void onTx(FrameEvent event) {
        int peer = event.peer();
        if (peer < 0 || peer >= tx.length() || event.isDropped()) {
            return;
        }
        PeerRecord record = tx.get(peer);
        if (record != null) {
            record.sent(event.length());
        }
    }

    /** Control thread: frames of {@code peer} count under {@code name} from now on. */
    public void bind(int peer, String name) {
        PeerRecord[] records = byName.get(name);
        if (records == null) {
            try {
                records = new PeerRecord[] {writer.peer(name + "/rx"), writer.peer(name + "/tx"),
                    writer.peer(name + "/hs"), writer.peer(name + "/fb")};
            } catch (RuntimeException full) { // the file has no free record: this peer goes uncounted
                return;
            }
            byName.put(name, records);
        }
        rx.set(peer, records[0]);
        tx.set(peer, records[1]);
        handshake[peer] = records[2];
        feedback.set(peer, records[3]);
        for (; unnamedRetransmits[peer] > 0; unnamedRetransmits[peer]--) {
            records[2].handshakeRetransmit(); // those of the handshake that just named the peer
        }
    }

    /** Control thread: a handshake fragment sent to {@code peer} again (timer or repair). */
    public void handshakeRetransmit(int peer) {
        PeerRecord record = peer >= 0 && peer < handshake.length ? handshake[peer] : null;
        if (record != null) {
            record.handshakeRetransmit();
        } else if (peer >= 0 && peer < handshake.length) {
            unnamedRetransmits[peer]++;
        }
    }

    /** Control thread: the peer index no longer counts for anyone. */
    public void unbind(int peer) {
        rx.set(peer, null);
        tx.set(peer, null);
        feedback.set(peer, null);
        handshake[peer] = null;
        unnamedRetransmits[peer] = 0;
    }
}
