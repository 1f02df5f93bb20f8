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
}
