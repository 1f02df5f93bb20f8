package org.m13.telemetry;

/** How a slot's value moves, which decides its Prometheus TYPE and whether a rate means anything. */
public enum CounterKind {
    /** Only grows; the monitor shows its rate. */
    COUNTER,
    /** The largest value seen so far (a high-water mark); exported as a gauge. */
    MAX,
    /** The latest measurement (RTT, jitter); exported as a gauge. */
    GAUGE
}
