package org.m13.feedback;

/**
 * The interarrival jitter estimator of RFC 3550 §6.4.1, in the fixed point of its
 * Appendix A.8: the state holds 16 x J, so
 * <pre>
 *   D(i-1, i) = (R_i - R_{i-1}) - (S_i - S_{i-1})     transit-time difference
 *   J        += (|D| - J) / 16                           the RFC's filter
 *   state    += |D| - ((state + 8) >> 4)                 the same, state = 16 J, rounded
 * </pre>
 * S is the sender's timestamp carried in the packet and R the receiver's clock at
 * arrival, both in the same unit (M13 uses microseconds) and both 32-bit, wrapping:
 * differences are taken mod 2^32 and read as signed, so a clock wrap does nothing.
 * The clocks need not be synchronised: only differences of differences are used.
 * One instance per received stream, one thread; no allocation.
 */
public final class Rfc3550Jitter {
    private long scaled; // 16 x J
    private int lastTransit;
    private boolean started;

    /**
     * Takes one packet.
     *
     * @param sendTimestamp sender's clock when it sent the packet (low 32 bits)
     * @param arrivalTimestamp receiver's clock at arrival, same unit (low 32 bits)
     */
    public void update(int sendTimestamp, int arrivalTimestamp) {
        int transit = arrivalTimestamp - sendTimestamp;
        if (started) {
            long d = Math.abs((long) (transit - lastTransit));
            scaled += d - ((scaled + 8) >> 4);
        }
        lastTransit = transit;
        started = true;
    }

    /** The estimate J, in timestamp units, rounded down (RFC 3550: {@code jitter >> 4}). */
    public long jitter() {
        return scaled >> 4;
    }

    /** 16 x J, the full fixed-point state. */
    public long scaled() {
        return scaled;
    }

    /** Forgets the stream (a new session). */
    public void reset() {
        scaled = 0;
        lastTransit = 0;
        started = false;
    }
}
