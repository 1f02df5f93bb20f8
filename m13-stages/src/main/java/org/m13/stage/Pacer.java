package org.m13.stage;

/**
 * Earliest-departure-time pacer: a token bucket of {@link #burstBytes()} bytes that fills
 * at {@link #rateBitsPerSecond()}, expressed as departure times. A pure class: no clock,
 * no thread, no allocation; the caller passes {@code now} (nanoseconds, monotonic).
 *
 * <p>The state is a debt in bit-nanoseconds-per-second units ({@code bits * 1e9}), which
 * drains by {@code rate} every nanosecond, so integer arithmetic stays exact and a rate
 * change keeps the debt already incurred. A frame of {@code b} bytes may leave once the
 * debt is at most {@code (burst - b)} bytes' worth; sending it adds {@code b} bytes.
 * Hence bytes sent in any interval of length {@code W} never exceed
 * {@code rate * W + max(burst, largest frame)}: the bucket holds at most the burst at the
 * interval's start and gains only {@code rate * W} during it. Idle time never builds up
 * more credit than that one burst.
 *
 * <p>Departures follow the time of {@link #sent}: a poller that wakes late sends the frame
 * late and the next one is paced from there, so a late wake-up never turns into a burst.
 */
public final class Pacer {
    public static final long DEFAULT_RATE_BITS_PER_SECOND = 100_000_000L;
    /** One full frame of a 1500-byte Ethernet MTU (1500 + 14-byte Ethernet header). */
    public static final int DEFAULT_BURST_BYTES = 1514;
    public static final long MIN_RATE_BITS_PER_SECOND = 8_000L;
    public static final long MAX_RATE_BITS_PER_SECOND = 400_000_000_000L;
    public static final int MAX_BURST_BYTES = 1 << 24;

    private static final long UNITS_PER_BYTE = 8_000_000_000L;

    private long rate;
    private final int burstBytes;
    private long debt;
    private long debtAt;

    /** A pacer at {@link #DEFAULT_RATE_BITS_PER_SECOND} with a {@link #DEFAULT_BURST_BYTES} burst. */
    public Pacer() {
        this(DEFAULT_RATE_BITS_PER_SECOND, DEFAULT_BURST_BYTES);
    }

    /**
     * A pacer with an empty debt (the first frame leaves at once).
     *
     * @param bitsPerSecond the rate, {@link #MIN_RATE_BITS_PER_SECOND}..{@link #MAX_RATE_BITS_PER_SECOND}
     * @param burstBytes bytes that may leave back to back after an idle period, 0..{@link #MAX_BURST_BYTES}
     *     (0: every frame waits for the previous one's transmission time)
     */
    public Pacer(long bitsPerSecond, int burstBytes) {
        this.rate = checkRate(bitsPerSecond);
        if (burstBytes < 0 || burstBytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("burst " + burstBytes + " bytes outside 0.." + MAX_BURST_BYTES);
        }
        this.burstBytes = burstBytes;
    }

    /** The earliest time, not before {@code now}, at which a frame of {@code bytes} may leave. */
    public long departureNanos(int bytes, long now) {
        checkBytes(bytes);
        long owed = debtAt(now);
        long allowed = (long) Math.max(0, burstBytes - bytes) * UNITS_PER_BYTE;
        if (owed <= allowed) {
            return now;
        }
        return now + (owed - allowed + rate - 1) / rate;
    }

    /** Charges a frame of {@code bytes} that left at {@code now} (normally at or after its departure time). */
    public void sent(int bytes, long now) {
        checkBytes(bytes);
        debt = debtAt(now) + bytes * UNITS_PER_BYTE;
        debtAt = Math.max(debtAt, now);
    }

    /** Changes the rate from {@code now} on; what was sent before stays charged at the old rate. */
    public void rate(long bitsPerSecond, long now) {
        long newRate = checkRate(bitsPerSecond);
        debt = debtAt(now);
        debtAt = Math.max(debtAt, now);
        rate = newRate;
    }

    public long rateBitsPerSecond() {
        return rate;
    }

    public int burstBytes() {
        return burstBytes;
    }

    /** Bytes sent but not yet paid for at {@code now} (rounded up); 0 on an idle link. */
    public long backlogBytes(long now) {
        return (debtAt(now) + UNITS_PER_BYTE - 1) / UNITS_PER_BYTE;
    }

    private long debtAt(long now) {
        long elapsed = now - debtAt;
        if (elapsed <= 0) {
            return debt;
        }
        if (elapsed > debt / rate) {
            return 0;
        }
        return debt - elapsed * rate;
    }

    private static long checkRate(long bitsPerSecond) {
        if (bitsPerSecond < MIN_RATE_BITS_PER_SECOND || bitsPerSecond > MAX_RATE_BITS_PER_SECOND) {
            throw new IllegalArgumentException("rate " + bitsPerSecond + " bit/s outside "
                    + MIN_RATE_BITS_PER_SECOND + ".." + MAX_RATE_BITS_PER_SECOND);
        }
        return bitsPerSecond;
    }

    private static void checkBytes(int bytes) {
        if (bytes <= 0 || bytes > MAX_BURST_BYTES) {
            throw new IllegalArgumentException("frame of " + bytes + " bytes");
        }
    }
}
