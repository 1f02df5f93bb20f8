package org.m13.handshake;

/**
 * What a state machine did with one event: the message to send (if any), the session
 * keys (once established; the caller then owns and closes them), or the reason for a
 * refusal.
 */
public final class HandshakeStep {
    /** The kind of step. */
    public enum Outcome {
        /** A new message to send (the hub's ServerHello). */
        SENT,
        /** A duplicate of a message already answered: the same answer again, no crypto done. */
        RESENT,
        /**
         * Hub under load: {@link #reply()} is a CookieReply, no PQC done. Node: a cookie
         * was accepted and {@link #reply()} is the ClientHello to resend, now with mac2.
         */
        COOKIE,
        /** Keys derived and the peer authenticated; {@link #reply()} may carry a last message. */
        ESTABLISHED,
        /** The event was refused; see {@link #reject()}. */
        REJECTED,
        /** Nothing to do (a timer before any deadline). */
        NONE
    }

    private static final HandshakeStep NONE = new HandshakeStep(Outcome.NONE, null, null, null, null);

    private final Outcome outcome;
    private final Reject reject;
    private final byte[] reply;
    private final SessionKeys keys;
    private final String peerName;

    private HandshakeStep(Outcome outcome, Reject reject, byte[] reply, SessionKeys keys, String peerName) {
        this.outcome = outcome;
        this.reject = reject;
        this.reply = reply;
        this.keys = keys;
        this.peerName = peerName;
    }

    static HandshakeStep none() {
        return NONE;
    }

    static HandshakeStep rejected(Reject reason) {
        return new HandshakeStep(Outcome.REJECTED, reason, null, null, null);
    }

    static HandshakeStep sent(byte[] reply, String peerName) {
        return new HandshakeStep(Outcome.SENT, null, reply, null, peerName);
    }

    static HandshakeStep resent(byte[] reply, String peerName) {
        return new HandshakeStep(Outcome.RESENT, null, reply, null, peerName);
    }

    static HandshakeStep cookie(byte[] reply, String peerName) {
        return new HandshakeStep(Outcome.COOKIE, null, reply, null, peerName);
    }

    static HandshakeStep established(byte[] reply, SessionKeys keys, String peerName) {
        return new HandshakeStep(Outcome.ESTABLISHED, null, reply, keys, peerName);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The refusal reason, or null unless {@link Outcome#REJECTED}. */
    public Reject reject() {
        return reject;
    }

    /** The message to send (a copy), or null. */
    public byte[] reply() {
        return reply == null ? null : reply.clone();
    }

    /** The established keys (owned by the caller from now on), or null. */
    public SessionKeys keys() {
        return keys;
    }

    /** On the hub: the allow-list name of the node this step concerns; null otherwise. */
    public String peerName() {
        return peerName;
    }

    @Override
    public String toString() {
        return outcome + (reject != null ? " " + reject : "") + (peerName != null ? " " + peerName : "");
    }
}
