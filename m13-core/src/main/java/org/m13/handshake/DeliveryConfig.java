package org.m13.handshake;

/**
 * Tunables of handshake delivery: fragment chunk size, parity on or off, the link's
 * RTT as configured (the first RTO is 1.5 x this), RTO bounds, how long a receiver
 * waits for the rest of a burst before it ACKs, the node's attempt deadline (then a
 * fresh attempt), and how many sources the hub tracks reassembly for at once.
 */
public record DeliveryConfig(int chunkBytes, boolean parity, long initialRttNanos, long minRtoNanos,
        long maxRtoNanos, long ackDelayNanos, long attemptDeadlineNanos, int maxSources) {
    public DeliveryConfig {
        if (chunkBytes <= 0 || initialRttNanos <= 0 || minRtoNanos <= 0 || maxRtoNanos < minRtoNanos
                || ackDelayNanos < 0 || attemptDeadlineNanos <= 0 || maxSources <= 0) {
            throw new IllegalArgumentException("invalid delivery config: " + this);
        }
    }

    /** 1402-byte chunks, parity on, 600 ms RTT, RTO 100 ms to 8 s, 10 ms ACK delay, 10 s deadline, 1024 sources. */
    public static DeliveryConfig defaults() {
        long ms = 1_000_000L;
        return new DeliveryConfig(org.m13.wire.Wire.MAX_FRAGMENT_CHUNK, true, 600 * ms, 100 * ms, 8_000 * ms, 10 * ms,
                10_000 * ms, 1024);
    }

    public DeliveryConfig withParity(boolean on) {
        return new DeliveryConfig(chunkBytes, on, initialRttNanos, minRtoNanos, maxRtoNanos, ackDelayNanos,
                attemptDeadlineNanos, maxSources);
    }

    public DeliveryConfig withInitialRttNanos(long rtt) {
        return new DeliveryConfig(chunkBytes, parity, rtt, minRtoNanos, maxRtoNanos, ackDelayNanos,
                attemptDeadlineNanos, maxSources);
    }
}
