package org.m13.linkem;

/**
 * Serialisation at a fixed bit rate, like one link transmitting one frame at a time:
 * a frame of L bytes arriving at t starts when the link is free
 * ({@code start = max(t, end of previous frame)}) and ends
 * {@code ceil(L·8·10⁹ / rate)} ns later. The backlog (frames whose transmission has
 * not ended) is bounded by the queue limit; the caller drops a frame (drop-tail)
 * when {@link #backlog} is at the limit. Rate 0 means unlimited: every frame ends
 * when it arrives and the backlog stays empty.
 *
 * <p>Frame bytes are what the relay receives: Ethernet header and payload, no
 * preamble, inter-frame gap or FCS.
 */
public final class RateLimiter {
    private final long bitsPerSecond;
    /** Transmission ends of the backlog, oldest first (a ring; ends never decrease). */
    private final long[] ends;
    private int head;
    private int size;
    private long busyUntil = Long.MIN_VALUE;

    public RateLimiter(long bitsPerSecond, int queueLimit) {
        if (bitsPerSecond < 0 || queueLimit < 1) {
            throw new IllegalArgumentException("rate must be >= 0 and the queue limit >= 1");
        }
        this.bitsPerSecond = bitsPerSecond;
        this.ends = new long[bitsPerSecond == 0 ? 1 : queueLimit];
    }

    /** Frames waiting for or in transmission at {@code now}. */
    public int backlog(long now) {
        while (size > 0 && ends[head] <= now) {
            head = head + 1 == ends.length ? 0 : head + 1;
            size--;
        }
        return size;
    }

    /** Whether a frame arriving at {@code now} finds the queue full. */
    public boolean full(long now) {
        return bitsPerSecond != 0 && backlog(now) >= ends.length;
    }

    /** Queues a frame of {@code bytes} arriving at {@code now} (check {@link #full} first): when its last bit leaves. */
    public long transmit(long now, int bytes) {
        if (bitsPerSecond == 0) {
            return now;
        }
        if (backlog(now) >= ends.length) {
            throw new IllegalStateException("queue full");
        }
        long start = Math.max(now, busyUntil);
        long bits = 8L * bytes;
        long end = start + (bits * 1_000_000_000L + bitsPerSecond - 1) / bitsPerSecond;
        busyUntil = end;
        int tail = head + size;
        ends[tail >= ends.length ? tail - ends.length : tail] = end;
        size++;
        return end;
    }
}
