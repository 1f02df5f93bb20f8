package org.m13.daemon;

import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;

/**
 * The keys of one completed handshake, one per direction, under one key phase; the
 * send counter (used only by the seal thread) and the replay window (used only by the
 * decrypt thread) start afresh with every session, so no nonce repeats under a key.
 * The control thread creates it, publishes it in the {@link PeerTable}, and closes its
 * keys once it has been retired for a grace period (stages may still hold it).
 */
public final class Session {
    private final AesGcm send;
    private final AesGcm open;
    private final int phase;
    private final ReplayWindow window = new ReplayWindow();
    private long nextSeq;

    /** Takes ownership of both keys. */
    public Session(AesGcm send, AesGcm open, int phase) {
        if (phase != 0 && phase != 1) {
            throw new IllegalArgumentException("key phase " + phase);
        }
        this.send = send;
        this.open = open;
        this.phase = phase;
    }

    public AesGcm sendKey() {
        return send;
    }

    public AesGcm openKey() {
        return open;
    }

    public int phase() {
        return phase;
    }

    public ReplayWindow window() {
        return window;
    }

    /** The next send sequence number (seal thread only), or -1 once 2^63 are used. */
    long takeSeq() {
        long seq = nextSeq;
        if (seq == Long.MAX_VALUE) {
            return -1;
        }
        nextSeq = seq + 1;
        return seq;
    }

    /** Frames sealed so far (read by the control thread for rekey decisions; may lag). */
    public long sealed() {
        return nextSeq;
    }

    /** Zeroes and frees both keys; only once no stage can reach this session any more. */
    void close() {
        send.close();
        open.close();
    }
}
