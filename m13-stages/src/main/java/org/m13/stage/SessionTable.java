package org.m13.stage;

import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;

/**
 * In-memory {@link Sessions}: arrays indexed by {@code peer * 2 + keyPhase}. Installing a
 * key gives it a fresh replay window (sequence numbers restart with every key).
 *
 * <p>Threads: install before the pipeline starts, or from the thread that runs decrypt;
 * the handshake hands keys over through that thread once it is built.
 */
public final class SessionTable implements Sessions {
    private final AesGcm[] keys;
    private final ReplayWindow[] windows;

    public SessionTable(int maxPeers) {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers " + maxPeers + " < 1");
        }
        keys = new AesGcm[maxPeers * 2];
        windows = new ReplayWindow[maxPeers * 2];
    }

    /** Installs the receive key of {@code peer} for {@code keyPhase}; the table does not close keys. */
    public void install(int peer, int keyPhase, AesGcm key) {
        int at = index(peer, keyPhase);
        keys[at] = key;
        windows[at] = new ReplayWindow();
    }

    /** Forgets the key (the caller closes it). */
    public void remove(int peer, int keyPhase) {
        int at = index(peer, keyPhase);
        keys[at] = null;
        windows[at] = null;
    }

    @Override
    public AesGcm openKey(int peer, int keyPhase) {
        return inRange(peer, keyPhase) ? keys[peer * 2 + keyPhase] : null;
    }

    @Override
    public ReplayWindow replayWindow(int peer, int keyPhase) {
        return inRange(peer, keyPhase) ? windows[peer * 2 + keyPhase] : null;
    }

    private boolean inRange(int peer, int keyPhase) {
        return peer >= 0 && peer * 2 < keys.length && (keyPhase == 0 || keyPhase == 1);
    }

    private int index(int peer, int keyPhase) {
        if (!inRange(peer, keyPhase)) {
            throw new IllegalArgumentException("peer " + peer + " key phase " + keyPhase + " out of range");
        }
        return peer * 2 + keyPhase;
    }
}
