package org.m13.handshake;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Sends one handshake message as fragments and repairs what the peer is missing.
 * Pure: returns which fragments to (re)send as a bitmask (bit i = fragment i); the
 * caller frames and sends them.
 *
 * <ul>
 *   <li>{@link #start}: every fragment.
 *   <li>{@link #onAck}: the peer's bitmap of fragments held; the missing ones are resent
 *       at once, unless each was already sent within the last half RTT (several ACKs
 *       for one loss cause one repair).
 *   <li>{@link #onTimer}: after the RTO without the flight being complete, every
 *       fragment not known to be held is resent and the RTO doubles (up to the
 *       maximum), with 0-10 % jitter so that many senders do not synchronise.
 *   <li>{@link #onResponse}: the peer's next message arrived, which implies it holds
 *       all of this one; yields an RTT sample if no fragment was ever resent (Karn).
 * </ul>
 */
public final class FlightSender {
    private final int msgId;
    private final byte[] message;
    private final int chunkBytes;
    private final int total;
    private final int allBits;
    private final RttEstimator rtt;
    private final RandomGenerator jitter;
    private final long[] lastSent;
    private long startNanos;
    private long timerNanos;
    private int backoff;
    private int held;
    private boolean retransmitted;

    public FlightSender(int msgId, byte[] message, int chunkBytes, RttEstimator rtt, RandomGenerator jitter) {
        if (chunkBytes <= 0 || message.length == 0) {
            throw new IllegalArgumentException("empty message or chunk size");
        }
        this.msgId = msgId;
        this.message = message.clone();
        this.chunkBytes = chunkBytes;
        this.total = (message.length + chunkBytes - 1) / chunkBytes;
        if (total > 31) {
            throw new IllegalArgumentException("at most 31 fragments, got " + total);
        }
        this.allBits = (1 << total) - 1;
        this.rtt = rtt;
        this.jitter = jitter;
        this.lastSent = new long[total];
    }

    public int msgId() {
        return msgId;
    }

    public int fragmentCount() {
        return total;
    }

    /** Fragment {@code index}: bytes [index * chunk, min(length, (index + 1) * chunk)). */
    public byte[] fragment(int index) {
        int from = index * chunkBytes;
        return Arrays.copyOfRange(message, from, Math.min(message.length, from + chunkBytes));
    }

    /** Sends every fragment; arms the retransmission timer. */
    public int start(long nowNanos) {
        startNanos = nowNanos;
        mark(allBits, nowNanos);
        return allBits;
    }

    /** The peer holds {@code bitmap}; returns the missing fragments to resend now. */
    public int onAck(int bitmap, long nowNanos) {
        held |= bitmap & allBits;
        if (isComplete()) {
            return 0;
        }
        int missing = allBits & ~held;
        int resend = 0;
        long recent = rtt.srttNanos() / 2;
        for (int i = 0; i < total; i++) {
            if ((missing & (1 << i)) != 0 && nowNanos - lastSent[i] >= recent) {
                resend |= 1 << i;
            }
        }
        if (resend != 0) {
            retransmitted = true;
            mark(resend, nowNanos);
        }
        return resend;
    }

    /** The peer's response arrived: it holds everything. Returns the RTT sample taken, or 0. */
    public long onResponse(long nowNanos) {
        boolean wasComplete = isComplete();
        held = allBits;
        if (wasComplete || retransmitted) {
            return 0;
        }
        long sample = nowNanos - startNanos;
        rtt.onSample(sample);
        return sample;
    }

    /** Called at {@link #timerNanos()} or later: resends what is not known to be held. */
    public int onTimer(long nowNanos) {
        if (isComplete() || nowNanos - timerNanos < 0) {
            return 0;
        }
        backoff++;
        retransmitted = true;
        int resend = allBits & ~held;
        mark(resend, nowNanos);
        return resend;
    }

    /** The peer asks again for the whole flight (it saw our previous message again). */
    public int resendUnheld(long nowNanos) {
        if (isComplete()) {
            return 0;
        }
        int resend = 0;
        long recent = rtt.srttNanos() / 2;
        for (int i = 0; i < total; i++) {
            if ((held & (1 << i)) == 0 && nowNanos - lastSent[i] >= recent) {
                resend |= 1 << i;
            }
        }
        if (resend != 0) {
            retransmitted = true;
            mark(resend, nowNanos);
        }
        return resend;
    }

    public boolean isComplete() {
        return held == allBits;
    }

    /** When {@link #onTimer} will next resend (meaningless once complete). */
    public long timerNanos() {
        return timerNanos;
    }

    private void mark(int bits, long nowNanos) {
        for (int i = 0; i < total; i++) {
            if ((bits & (1 << i)) != 0) {
                lastSent[i] = nowNanos;
            }
        }
        long rto = rtt.rtoNanos();
        for (int i = 0; i < backoff && rto < rtt.maxRtoNanos(); i++) {
            rto *= 2;
        }
        rto = Math.min(rto, rtt.maxRtoNanos());
        timerNanos = nowNanos + rto + (long) (rto * 0.1 * jitter.nextDouble());
    }
}
