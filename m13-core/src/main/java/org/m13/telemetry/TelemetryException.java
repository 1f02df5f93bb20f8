package org.m13.telemetry;

/** The telemetry file cannot be created, opened or read; the message names the file. */
public final class TelemetryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TelemetryException(String message) {
        super(message);
    }

    public TelemetryException(String message, Throwable cause) {
        super(message, cause);
    }
}
