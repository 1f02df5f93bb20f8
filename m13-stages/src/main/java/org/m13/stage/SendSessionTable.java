package org.m13.stage;

import org.m13.crypto.AesGcm;

/**
 * In-memory {@link SendSessions}: per peer the current key, its phase and the next
 * sequence number. Installing a key restarts the counter (the receiver keeps a fresh
 * replay window per key). Sequence numbers stop at {@link #SEQ_LIMIT} (2^63): a key
 * must be replaced long before, and a frame is never sealed with a wrapped counter.
 *
 * <p>Threads: install before the pipeline starts or from the thread that runs seal.
 */
public final class SendSessionTable implements SendSessions {
    /** First sequence number no key may seal: 2^63. */
    public static final long SEQ_LIMIT = Long.MAX_VALUE;

    private final AesGcm[] keys;
    private final int[] phases;
    private final long[] next;

    public SendSessionTable(int maxPeers) {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers " + maxPeers + " < 1");
        }
        keys = new AesGcm[maxPeers];
        phases = new int[maxPeers];
        next = new long[maxPeers];
    }

    /** Makes {@code key} the peer's send key for {@code keyPhase}; sequence numbers restart at 0. */
    public void install(int peer, int keyPhase, AesGcm key) {
        install(peer, keyPhase, key, 0);
    }

    /** As {@link #install(int, int, AesGcm)}, starting at {@code firstSeq} (tests, resumption). */
    public void install(int peer, int keyPhase, AesGcm key, long firstSeq) {
        if (keyPhase != 0 && keyPhase != 1) {
            throw new IllegalArgumentException("key phase " + keyPhase);
        }
        if (firstSeq < 0) {
            throw new IllegalArgumentException("first seq " + firstSeq);
        }
        keys[peer] = key;
        phases[peer] = keyPhase;
        next[peer] = firstSeq;
    }

    @Override
    public AesGcm sealKey(int peer) {
        return peer >= 0 && peer < keys.length ? keys[peer] : null;
    }

    @Override
    public int keyPhase(int peer) {
        return phases[peer];
    }

    @Override
    public long nextSeq(int peer) {
        long seq = next[peer];
        if (seq >= SEQ_LIMIT) {
            return EXHAUSTED;
        }
        next[peer] = seq + 1;
        return seq;
    }
}
