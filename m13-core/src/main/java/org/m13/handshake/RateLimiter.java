package org.m13.handshake;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A token bucket per source for handshakes that would cost PQC work: {@code burst}
 * at once, refilled at {@code perSecond}. Time is injected. The table holds at most
 * {@code maxSources} buckets; when full, buckets that have refilled completely (idle
 * sources) are dropped, and if none has, a new source is refused: under a flood of
 * distinct sources the hub degrades to refusing newcomers rather than growing.
 */
final class RateLimiter {
    private final long nanosPerToken;
    private final long capacityNanos;
    private final int maxSources;
    private final Map<Long, long[]> buckets = new HashMap<>(); // source -> {credit nanos, last nanos}

    RateLimiter(int perSecond, int burst, int maxSources) {
        if (perSecond <= 0 || burst <= 0 || maxSources <= 0) {
            throw new IllegalArgumentException("rate, burst and table size must be positive");
        }
        this.nanosPerToken = 1_000_000_000L / perSecond;
        this.capacityNanos = nanosPerToken * burst;
        this.maxSources = maxSources;
    }

    /** Takes one token for {@code source}; false if its bucket is empty (or the table is full). */
    boolean tryAcquire(long source, long nowNanos) {
        long[] bucket = buckets.get(source);
        if (bucket == null) {
            if (buckets.size() >= maxSources && purgeIdle(nowNanos) == 0) {
                return false;
            }
            bucket = new long[] {capacityNanos, nowNanos};
            buckets.put(source, bucket);
        }
        long credit = Math.min(capacityNanos, bucket[0] + Math.max(0, nowNanos - bucket[1]));
        bucket[1] = nowNanos;
        if (credit < nanosPerToken) {
            bucket[0] = credit;
            return false;
        }
        bucket[0] = credit - nanosPerToken;
        return true;
    }

    int sources() {
        return buckets.size();
    }

    private int purgeIdle(long nowNanos) {
        int purged = 0;
        for (Iterator<long[]> it = buckets.values().iterator(); it.hasNext();) {
            long[] bucket = it.next();
            if (bucket[0] + (nowNanos - bucket[1]) >= capacityNanos) {
                it.remove();
                purged++;
            }
        }
        return purged;
    }
}
