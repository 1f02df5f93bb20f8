package org.m13.telemetry;

/** A named slot in a record's counter area: stable slot number, label, kind and Prometheus name. */
public interface TelemetryCounter {
    /** Slot number in the record's counter area; stable across releases. */
    int slot();

    /** Short column label for the monitor. */
    String label();

    /** Prometheus metric name (without the {@code m13_stage_}/{@code m13_peer_} prefix). */
    String metric();

    /** One-line description: the Prometheus HELP text. */
    String help();

    CounterKind kind();

    /** Divisor from the stored integer to the exported unit (1e9 for nanoseconds as seconds). */
    double divisor();
}
