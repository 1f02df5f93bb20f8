package org.m13.daemon;

import java.util.HashMap;
import java.util.Map;

/**
 * The hub's 3x rule toward addresses it has not validated (docs/PROTOCOL-HANDSHAKE.md
 * §6): it sends an address at most three times the bytes (on the wire) it received from
 * it in frames with a valid per-frame mac1, until that address completes a handshake.
 * Bounded: at most {@code maxSources} addresses are tracked; a flood of new addresses
 * makes the table forget (each then starts from nothing again: less, never more, is sent).
 * Control thread only.
 */
public final class AmplificationBudget {
    /** The factor: bytes sent per byte received. */
    public static final int FACTOR = 3;

    private final int maxSources;
    /** Per address: {bytes received, bytes sent}. */
    private final Map<Long, long[]> bytes = new HashMap<>();
    private long held;

    public AmplificationBudget(int maxSources) {
        this.maxSources = maxSources;
    }

    /** {@code frameBytes} arrived from {@code source}. */
    public void received(long source, int frameBytes) {
        if (bytes.size() >= maxSources && !bytes.containsKey(source)) {
            bytes.clear();
        }
        bytes.computeIfAbsent(source, k -> new long[2])[0] += frameBytes;
    }

    /** Whether {@code frameBytes} may go to {@code source} now; if so, they are counted as sent. */
    public boolean trySend(long source, int frameBytes) {
        long[] b = bytes.get(source);
        if (b == null || b[1] + frameBytes > FACTOR * b[0]) {
            held++;
            return false;
        }
        b[1] += frameBytes;
        return true;
    }

    /** The address completed a handshake: it is validated, no limit any more. */
    public void validated(long source) {
        bytes.remove(source);
    }

    /** Frames refused so far. */
    public long held() {
        return held;
    }

    /** Addresses tracked now. */
    public int sources() {
        return bytes.size();
    }
}
