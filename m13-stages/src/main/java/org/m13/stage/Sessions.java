package org.m13.stage;

import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;

/**
 * Receive state per peer and key phase, as decrypt needs it: the open key and the
 * anti-replay window of the frames under that key. Lookups must not allocate.
 */
public interface Sessions {
    /** The key that opens the peer's frames of {@code keyPhase} (0 or 1), or null if none. */
    AesGcm openKey(int peer, int keyPhase);

    /** The replay window that goes with {@link #openKey}; non-null whenever the key is. */
    ReplayWindow replayWindow(int peer, int keyPhase);

    /**
     * Called by decrypt once a frame of {@code peer} opened and passed the replay window:
     * the frame is authentic, so the hub may follow a node whose address changed (its
     * outer headers lie just before {@code frameIndex}). Must not allocate.
     */
    default void authenticated(int peer, java.nio.ByteBuffer buffer, int frameIndex) {
    }
}
