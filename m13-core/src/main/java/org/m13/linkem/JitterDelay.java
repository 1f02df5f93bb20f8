package org.m13.linkem;

import java.util.SplittableRandom;

/**
 * Propagation delay: {@code delay + U}, with U uniform on the integers
 * [-jitter, +jitter] nanoseconds (one {@code nextLong} draw per forwarded frame),
 * clamped at 0. Bounded: never outside [delay - jitter, delay + jitter].
 */
public final class JitterDelay {
    private final long delayNanos;
    private final long jitterNanos;
    private final SplittableRandom random;

    public JitterDelay(long delayNanos, long jitterNanos, SplittableRandom random) {
        if (delayNanos < 0 || jitterNanos < 0) {
            throw new IllegalArgumentException("delay and jitter must be >= 0");
        }
        this.delayNanos = delayNanos;
        this.jitterNanos = jitterNanos;
        this.random = random;
    }

    /** The next frame's delay in nanoseconds. */
    public long next() {
        if (jitterNanos == 0) {
            return delayNanos;
        }
        return Math.max(0, delayNanos + random.nextLong(-jitterNanos, jitterNanos + 1));
    }
}
