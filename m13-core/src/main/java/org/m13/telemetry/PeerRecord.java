package org.m13.telemetry;

import net.openhft.chronicle.bytes.BytesStore;

/**
 * A peer's counters in the telemetry file. Written only by the thread that owns the
 * peer's record; each call is one seqlock update (a few ordered stores, no allocation).
 * Loss, RTT and jitter are gauges the feedback path sets.
 *
 * <p>Who feeds what (the daemon wires it; the stages do not):
 * <pre>
 *   received(bytes)        the RX thread, for a frame decrypt opened (or scatter delivered)
 *   drop(reason)           the RX thread running decrypt: REPLAY_*, AUTH_FAILED, NO_SESSION ...
 *   feedback(...)          the thread that handles the peer's feedback frames (RX, after scatter)
 *   sent(bytes)            the TX thread that hands frames to the link (link-tx, scheduler)
 *   handshakeRetransmit()  the handshake (PQC) thread
 * </pre>
 * One record has one writer, so a peer reported by several threads gets one record per
 * thread, claimed with the thread in its name ({@code node-7/rx}, {@code node-7/tx},
 * {@code node-7/hs}); never share a record between threads.
 */
public final class PeerRecord extends RecordWriter {
    PeerRecord(BytesStore<?, ?> store, long base) {
        super(store, base);
    }

    /** A frame of {@code bytes} bytes received from the peer and accepted. */
    public void received(int bytes) {
        begin();
        add(PeerCounter.RX_PACKETS.slot(), 1);
        add(PeerCounter.RX_BYTES.slot(), bytes);
        end();
    }

    /** A frame of {@code bytes} bytes sent to the peer. */
    public void sent(int bytes) {
        begin();
        add(PeerCounter.TX_PACKETS.slot(), 1);
        add(PeerCounter.TX_BYTES.slot(), bytes);
        end();
    }

    /**
     * A frame from the peer dropped for reason {@code reasonId} ({@link DropReason#id()});
     * replay and authentication verdicts also count in {@link PeerCounter#REPLAY_DROPS}
     * and {@link PeerCounter#AUTH_DROPS}.
     *
     * @throws IllegalArgumentException for 0 ({@code NONE}) or an id outside the drop area
     */
    public void drop(int reasonId) {
        checkReason(reasonId);
        begin();
        addDrop(reasonId);
        add(PeerCounter.DROPS.slot(), 1);
        if (DropReason.isReplay(reasonId)) {
            add(PeerCounter.REPLAY_DROPS.slot(), 1);
        } else if (DropReason.isAuth(reasonId)) {
            add(PeerCounter.AUTH_DROPS.slot(), 1);
        }
        end();
    }

    /** {@link #drop(int)} by reason. */
    public void drop(DropReason reason) {
        drop(reason.id());
    }

    /** A handshake flight sent again. */
    public void handshakeRetransmit() {
        begin();
        add(PeerCounter.HANDSHAKE_RETRANSMITS.slot(), 1);
        end();
    }

    /**
     * A feedback report: {@code lost} more frames lost, the latest loss fraction in
     * parts per million, round-trip time and jitter in nanoseconds.
     */
    public void feedback(long lost, long lossPpm, long rttNanos, long jitterNanos) {
        begin();
        add(PeerCounter.LOST_PACKETS.slot(), lost);
        set(PeerCounter.LOSS_PPM.slot(), lossPpm);
        set(PeerCounter.RTT_NANOS.slot(), rttNanos);
        set(PeerCounter.JITTER_NANOS.slot(), jitterNanos);
        end();
    }

    /** The owner's current value of {@code counter}. */
    public long get(PeerCounter counter) {
        return counterValue(counter.slot());
    }
}
