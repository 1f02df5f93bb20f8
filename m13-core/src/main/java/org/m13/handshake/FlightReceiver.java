package org.m13.handshake;

import java.util.Arrays;

/**
 * Reassembles one handshake message of known length (every handshake message type has
 * a fixed size) from fragments and says when to acknowledge. Pure; fragments carry
 * (message id, index, data count); every data fragment but the last has
 * {@code chunkBytes} bytes. Index = data count is the parity fragment (XOR of the
 * zero-padded data chunks, see {@link FlightSender}): with it, any one missing data
 * fragment is rebuilt locally.
 *
 * <p>ACK policy: when a fragment arrives and the message is still incomplete, an ACK
 * (the bitmap of fragments held) is due {@code ackDelay} later, long enough for the
 * rest of the burst to arrive, so that one ACK reports every gap of the burst. If no
 * new fragment arrives, the ACK is repeated every {@code repeatNanos} (the RTO) while
 * incomplete, covering a lost ACK. A fragment of a newer message id starts over; an
 * older id is ignored.
 */
public final class FlightReceiver {
    private final int messageBytes;
    private final int chunkBytes;
    private final int expectedCount;
    private final long ackDelayNanos;
    private int msgId = -1;
    private int total;
    private int held;
    private byte[][] chunks;
    private byte[] parity;
    private boolean complete;
    private long ackAtNanos = Long.MAX_VALUE;
    private boolean ackArmed;

    public FlightReceiver(int messageBytes, int chunkBytes, long ackDelayNanos) {
        this.messageBytes = messageBytes;
        this.chunkBytes = chunkBytes;
        this.expectedCount = (messageBytes + chunkBytes - 1) / chunkBytes;
        if (messageBytes <= 0 || expectedCount > 30) {
            throw new IllegalArgumentException("message of " + messageBytes + " bytes: 1 to 30 fragments");
        }
        this.ackDelayNanos = ackDelayNanos;
    }

    private int chunkLength(int index) {
        return index < expectedCount - 1 ? chunkBytes : messageBytes - (expectedCount - 1) * chunkBytes;
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
        if (count != expectedCount || index < 0 || index > count
                || chunk.length != (index == count ? chunkBytes : chunkLength(index))) {
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
            parity = null;
            complete = false;
            ackArmed = false;
            ackAtNanos = Long.MAX_VALUE;
        }
        if (complete || (held & (1 << index)) != 0) {
            return Fragment.DUPLICATE;
        }
        if (index == total) {
            parity = chunk.clone();
        } else {
            chunks[index] = chunk.clone();
        }
        held |= 1 << index;
        recoverWithParity();
        int dataBits = (1 << total) - 1;
        if ((held & dataBits) == dataBits) {
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

    /** With the parity and all data fragments but one, rebuilds the missing one. */
    private void recoverWithParity() {
        if (parity == null || Integer.bitCount(held & ((1 << total) - 1)) != total - 1) {
            return;
        }
        int missing = Integer.numberOfTrailingZeros(~held);
        byte[] rebuilt = parity.clone();
        for (int i = 0; i < total; i++) {
            if (i != missing) {
                for (int j = 0; j < chunks[i].length; j++) {
                    rebuilt[j] ^= chunks[i][j];
                }
            }
        }
        chunks[missing] = Arrays.copyOf(rebuilt, chunkLength(missing));
        held |= 1 << missing;
    }

    /** The reassembled message once complete, else null. */
    public byte[] message() {
        if (!complete) {
            return null;
        }
        byte[] out = new byte[messageBytes];
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

    /** Bitmap of fragments held (bit i = data fragment i, bit count = parity). */
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
        parity = null;
    }
}
