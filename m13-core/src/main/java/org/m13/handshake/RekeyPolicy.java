package org.m13.handshake;

/**
 * When session keys must be replaced. The node starts a new handshake once a key has
 * sealed {@code rekeyAfterPackets} packets or is {@code rekeyAfterNanos} old; a key
 * that reaches the reject limits is no longer used to send (the AES-GCM usage bound);
 * after a switch the old receive key stays usable for {@code graceNanos} so that
 * packets already in flight, or reordered, still open.
 */
public record RekeyPolicy(long rekeyAfterNanos, long rekeyAfterPackets, long rejectAfterNanos,
        long rejectAfterPackets, long graceNanos) {
    public RekeyPolicy {
        if (rekeyAfterNanos <= 0 || rekeyAfterPackets <= 0 || rejectAfterNanos < rekeyAfterNanos
                || rejectAfterPackets < rekeyAfterPackets || graceNanos < 0) {
            throw new IllegalArgumentException("invalid rekey policy: " + this);
        }
    }

    /** Rekey after 1 hour or 2^28 packets; stop sending at 1 h 10 min or 2^30; 10 s grace. */
    public static RekeyPolicy defaults() {
        long hour = 3_600_000_000_000L;
        return new RekeyPolicy(hour, 1L << 28, hour + hour / 6, 1L << 30, 10_000_000_000L);
    }
}
