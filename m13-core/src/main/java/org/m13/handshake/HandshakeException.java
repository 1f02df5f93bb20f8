package org.m13.handshake;

/** A refused message inside the core; always caught and turned into a {@link Reject}. */
final class HandshakeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Reject reason;

    HandshakeException(Reject reason) {
        super(reason.label(), null, false, false); // no stack trace: refusals must stay cheap
        this.reason = reason;
    }

    Reject reason() {
        return reason;
    }
}
