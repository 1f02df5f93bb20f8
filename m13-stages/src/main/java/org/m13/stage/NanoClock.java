package org.m13.stage;

/** A monotonic clock in nanoseconds, injected so tests can drive time. */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
