package org.m13.linkem;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One direction's counters: written by the relay thread only (plain read, release
 * write: no locked instruction per frame), read by any thread.
 */
public final class Counters {
    private static final Counter[] ALL = Counter.values();

    private final AtomicLongArray values = new AtomicLongArray(Counter.COUNT);

    /** Adds one (single writer only). */
    void increment(Counter counter) {
        int i = counter.id();
        values.setRelease(i, values.getPlain(i) + 1);
    }

    public long get(Counter counter) {
        return values.getAcquire(counter.id());
    }

    /** Frames dropped for any reason. */
    public long dropped() {
        long sum = 0;
        for (Counter c : ALL) {
            if (c != Counter.RECEIVED && c != Counter.FORWARDED && c != Counter.RECEIVE_ERRORS) {
                sum += get(c);
            }
        }
        return sum;
    }

    /** "rx 10 fwd 9 lost 1 ..." with every counter, for logs. */
    public String format() {
        StringBuilder line = new StringBuilder();
        for (Counter c : ALL) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(c.label()).append(' ').append(get(c));
        }
        return line.toString();
    }
}
