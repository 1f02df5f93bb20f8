package org.m13.handshake;

import java.util.Arrays;

/**
 * Reassembles one handshake message from fragments and says when to acknowledge.
 * Pure; fragments carry (message id, index, total); every fragment but the last has
 * {@code chunkBytes} bytes.
 *
 * <p>ACK policy: when a fragment arrives and the message is still incomplete, an ACK
 * (the bitmap of fragments held) is due {@code ackDelay} later, long enough for the
 * rest of the burst to arrive, so that one ACK reports every gap of the burst. If no
 * new fragment arrives, the ACK is repeated every {@code repeatNanos} (the RTO) while
 * incomplete, covering a lost ACK. A fragment of a newer message id starts over; an
 * older id is ignored.
 */
public final class FlightReceiver {
    private final int chunkBytes;
    private final long ackDelayNanos;
    private int msgId = -1;
    private int total;
    private int held;
    private byte[][] chunks;
    private boolean complete;
    private long ackAtNanos = Long.MAX_VALUE;
    private boolean ackArmed;

    public FlightReceiver(int chunkBytes, long ackDelayNanos) {
        this.chunkBytes = chunkBytes;
        this.ackDelayNanos = ackDelayNanos;
    }

    /** Outcome of one fragment. */
    public enum Fragment {
        /** Stored; the message is not complete yet. */
        STORED,
        /** This fragment completed the message: {@link #message()} has it. */
        COMPLETED,
        /** Already held (or the message was already complete). */
        DUPLICATE,
        /** Refused: inconsistent total or index, wrong chunk length, or an older message id. */
        INVALID
    }

    public Fragment onFragment(int id, int index, int count, byte[] chunk, long nowNanos) {
        if (count <= 0 || count > 31 || index < 0 || index >= count) {
            return Fragment.INVALID;
        }
        if (id != msgId) {
            if (msgId >= 0 && id < msgId) {
                return Fragment.INVALID;
            }
            msgId = id;
            total = count;
            held = 0;
            chunks = new byte[count][];
            complete = false;
            ackArmed = false;
            ackAtNanos = Long.MAX_VALUE;
        }
        if (count != total || (index < total - 1 ? chunk.length != chunkBytes : chunk.length > chunkBytes
                || chunk.length == 0)) {
            return Fragment.INVALID;
        }
        if (complete || (held & (1 << index)) != 0) {
            return Fragment.DUPLICATE;
        }
        chunks[index] = chunk.clone();
        held |= 1 << index;
        if (held == (1 << total) - 1) {
            complete = true;
            ackArmed = false;
            ackAtNanos = Long.MAX_VALUE;
            return Fragment.COMPLETED;
        }
        if (!ackArmed) {
            ackArmed = true;
            ackAtNanos = nowNanos + ackDelayNanos;
        }
        return Fragment.STORED;
    }

    /** The reassembled message once complete, else null. */
    public byte[] message() {
        if (!complete) {
            return null;
        }
        int length = (total - 1) * chunkBytes + chunks[total - 1].length;
        byte[] out = new byte[length];
        for (int i = 0; i < total; i++) {
            System.arraycopy(chunks[i], 0, out, i * chunkBytes, chunks[i].length);
        }
        return out;
    }

    public int msgId() {
        return msgId;
    }

    public boolean isComplete() {
        return complete;
    }

    /** Bitmap of fragments held (bit i = fragment i). */
    public int bitmap() {
        return held;
    }

    /** When an ACK is due, or {@code Long.MAX_VALUE}. */
    public long ackAtNanos() {
        return ackAtNanos;
    }

    /**
     * If an ACK is due at {@code nowNanos}, returns the bitmap to send and schedules the
     * repeat {@code repeatNanos} later; otherwise -1.
     */
    public int takeAck(long nowNanos, long repeatNanos) {
        if (complete || nowNanos - ackAtNanos < 0 || ackAtNanos == Long.MAX_VALUE) {
            return -1;
        }
        ackArmed = false;
        ackAtNanos = nowNanos + repeatNanos;
        return held;
    }

    /** Drops the chunks (handshake bytes are public, but memory is memory). */
    public void clear() {
        if (chunks != null) {
            Arrays.fill(chunks, null);
        }
    }
}
