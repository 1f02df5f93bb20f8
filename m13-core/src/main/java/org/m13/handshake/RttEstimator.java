package org.m13.handshake;

/**
 * Round-trip estimate and retransmission timeout for handshake flights (RFC 6298
 * smoothing), seeded with the configured link RTT instead of a fixed 250 ms, which is
 * shorter than one round trip on a 600 ms satellite link.
 *
 * <pre>
 *   initially   SRTT = configured RTT, RTTVAR = RTT / 8       -> RTO = 1.5 x RTT
 *   per sample  RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R
 *   RTO         = clamp(SRTT + 4 RTTVAR, min, max)
 * </pre>
 *
 * The initial variance is smaller than RFC 6298's (RTT/2) because the RTT is
 * configured for the link, not guessed; retransmissions back off from there.
 * Samples come only from flights that were not retransmitted (Karn's rule).
 */
public final class RttEstimator {
    private final long minRtoNanos;
    private final long maxRtoNanos;
    private long srtt;
    private long rttvar;

    public RttEstimator(long initialRttNanos, long minRtoNanos, long maxRtoNanos) {
        if (initialRttNanos <= 0 || minRtoNanos <= 0 || maxRtoNanos < minRtoNanos) {
            throw new IllegalArgumentException("invalid RTT or RTO bounds");
        }
        this.srtt = initialRttNanos;
        this.rttvar = initialRttNanos / 8;
        this.minRtoNanos = minRtoNanos;
        this.maxRtoNanos = maxRtoNanos;
    }

    public void onSample(long rttNanos) {
        if (rttNanos <= 0) {
            return;
        }
        rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
        srtt = (7 * srtt + rttNanos) / 8;
    }

    public long srttNanos() {
        return srtt;
    }

    public long rtoNanos() {
        return Math.max(minRtoNanos, Math.min(maxRtoNanos, srtt + 4 * rttvar));
    }

    public long maxRtoNanos() {
        return maxRtoNanos;
    }
}
