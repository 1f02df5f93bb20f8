package org.m13.stage;

import org.m13.crypto.AesGcm;

/**
 * Send state per peer, as seal needs it: the current key, its key phase and the
 * sequence counter that makes every nonce under that key unique. Must not allocate.
 */
public interface SendSessions {
    /** Returned by {@link #nextSeq} when the key may seal no more frames. */
    long EXHAUSTED = -1;

    /** The key that seals the peer's frames, or null if none. */
    AesGcm sealKey(int peer);

    /** Key phase (0 or 1) of {@link #sealKey}. */
    int keyPhase(int peer);

    /**
     * Takes the next sequence number under the peer's current key: each value is handed
     * out once, so no nonce repeats.
     *
     * @return the sequence number, or {@link #EXHAUSTED}
     */
    long nextSeq(int peer);
}
