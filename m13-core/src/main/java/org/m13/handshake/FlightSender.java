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
 *
 * <p>With parity, the flight has one more fragment (index = data count): the XOR of all
 * data chunks, each zero-padded to the chunk size, so the receiver rebuilds any one
 * lost data fragment without a round trip. It is sent with the flight, never resent
 * (repairs resend data fragments); the flight is complete when all data is held.
 */
public final class FlightSender {
    private final int msgId;
    private final byte[] message;
    private final int chunkBytes;
    private final int total;
    private final int dataCount;
    private final int dataBits;
    private final int allBits;
    private final RttEstimator rtt;
    private final RandomGenerator jitter;
    private final long[] lastSent;
    private long startNanos;
    private long timerNanos;
    private int backoff;
    private int held;
    private boolean retransmitted;

    public FlightSender(int msgId, byte[] message, int chunkBytes, boolean parity, RttEstimator rtt,
            RandomGenerator jitter) {
        if (chunkBytes <= 0 || message.length == 0) {
            throw new IllegalArgumentException("empty message or chunk size");
        }
        this.msgId = msgId;
        this.message = message.clone();
        this.chunkBytes = chunkBytes;
        this.dataCount = (message.length + chunkBytes - 1) / chunkBytes;
        this.total = dataCount + (parity ? 1 : 0);
        if (total > 31) {
            throw new IllegalArgumentException("at most 31 fragments, got " + total);
        }
        this.dataBits = (1 << dataCount) - 1;
        this.allBits = (1 << total) - 1;
        this.rtt = rtt;
        this.jitter = jitter;
        this.lastSent = new long[total];
    }

    public int msgId() {
        return msgId;
    }

    /** Fragments in the flight, parity included. */
    public int fragmentCount() {
        return total;
    }

    /** Data fragments: the count every fragment header carries. */
    public int dataCount() {
        return dataCount;
    }

    /**
     * Data fragment {@code index}: bytes [index * chunk, min(length, (index + 1) * chunk));
     * index {@code dataCount()} is the parity fragment.
     */
    public byte[] fragment(int index) {
        if (index == dataCount) {
            return parity(message, chunkBytes, dataCount);
        }
        int from = index * chunkBytes;
        return Arrays.copyOfRange(message, from, Math.min(message.length, from + chunkBytes));
    }

    /** XOR of the zero-padded data chunks of {@code message}. */
    static byte[] parity(byte[] message, int chunkBytes, int dataCount) {
        byte[] p = new byte[chunkBytes];
        for (int i = 0; i < dataCount; i++) {
            int from = i * chunkBytes;
            int to = Math.min(message.length, from + chunkBytes);
            for (int j = from; j < to; j++) {
                p[j - from] ^= message[j];
            }
        }
        return p;
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
        int missing = dataBits & ~held;
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
        held |= dataBits;
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
        int resend = dataBits & ~held;
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
        for (int i = 0; i < dataCount; i++) {
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

    /** True once the peer holds every data fragment. */
    public boolean isComplete() {
        return (held & dataBits) == dataBits;
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
