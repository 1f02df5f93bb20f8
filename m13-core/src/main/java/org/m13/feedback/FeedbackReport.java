package org.m13.feedback;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.nio.ByteBuffer;

/**
 * Flyweight over the 40-byte receiver report, the body of a frame with flag
 * {@code FEEDBACK} (0x40). Big endian, absolute gets and puts only.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    highest seq received (u64)                 |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   cumulative lost (u32, saturating)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   fraction lost (u16, /65536) |  mean burst (u16, 1/16 pkt)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        jitter (u32, us)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   receive rate (u32, bytes/s)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     interval (u32, us)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        packets (u16)          |       longest burst (u16)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     queue delay (u32, us)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  echoed send time (u32, us)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * fraction lost  lost / expected in the interval, x 65536, at most 0xFFFF
 *                (RFC 3550 uses 8 bits; 16 resolve the 0.01 % M13 aims at)
 * mean burst     packets lost per loss event in the interval, x 16
 * packets        frames received in the interval (saturating)
 * queue delay    the interval's smallest transit time (arrival - send time) above
 *                the smallest of the last ~8 s: a standing queue on the path
 * echoed send    the send time (sender's clock) of the frame that arrived last:
 *                tells the sender which of its sending the report describes
 * </pre>
 * Fields are saturated by {@link ReceiverStats}; the flyweight writes low bits.
 */
public final class FeedbackReport {
    public static final int HIGHEST_SEQ_OFFSET = 0;
    public static final int CUMULATIVE_LOST_OFFSET = 8;
    public static final int FRACTION_LOST_OFFSET = 12;
    public static final int MEAN_BURST_OFFSET = 14;
    public static final int JITTER_OFFSET = 16;
    public static final int RECEIVE_RATE_OFFSET = 20;
    public static final int INTERVAL_OFFSET = 24;
    public static final int PACKETS_OFFSET = 28;
    public static final int LONGEST_BURST_OFFSET = 30;
    public static final int QUEUE_DELAY_OFFSET = 32;
    public static final int ECHO_OFFSET = 36;
    public static final int BYTES = 40;

    private ByteBuffer buffer;
    private int base;

    /**
     * Points the flyweight at the report starting at absolute {@code index}.
     *
     * @throws IndexOutOfBoundsException if the 40 bytes do not lie within the limit
     */
    @CanIgnoreReturnValue
    public FeedbackReport wrap(ByteBuffer buffer, int index) {
        if (index < 0 || index > buffer.limit() - BYTES) {
            throw new IndexOutOfBoundsException("feedback report at " + index + " outside limit " + buffer.limit());
        }
        this.buffer = buffer;
        this.base = index;
        return this;
    }

    public long highestSeq() {
        return buffer.getLong(base + HIGHEST_SEQ_OFFSET);
    }

    public long cumulativeLost() {
        return buffer.getInt(base + CUMULATIVE_LOST_OFFSET) & 0xFFFF_FFFFL;
    }

    public int fractionLost() {
        return buffer.getShort(base + FRACTION_LOST_OFFSET) & 0xFFFF;
    }

    public int meanBurst16() {
        return buffer.getShort(base + MEAN_BURST_OFFSET) & 0xFFFF;
    }

    public long jitterMicros() {
        return buffer.getInt(base + JITTER_OFFSET) & 0xFFFF_FFFFL;
    }

    public long receiveRate() {
        return buffer.getInt(base + RECEIVE_RATE_OFFSET) & 0xFFFF_FFFFL;
    }

    public long intervalMicros() {
        return buffer.getInt(base + INTERVAL_OFFSET) & 0xFFFF_FFFFL;
    }

    public int packets() {
        return buffer.getShort(base + PACKETS_OFFSET) & 0xFFFF;
    }

    public int longestBurst() {
        return buffer.getShort(base + LONGEST_BURST_OFFSET) & 0xFFFF;
    }

    public long queueDelayMicros() {
        return buffer.getInt(base + QUEUE_DELAY_OFFSET) & 0xFFFF_FFFFL;
    }

    /** The echoed send time: the low 32 bits of the sender's microsecond clock. */
    public int echoMicros() {
        return buffer.getInt(base + ECHO_OFFSET);
    }

    @CanIgnoreReturnValue
    public FeedbackReport queueDelayMicros(long micros) {
        buffer.putInt(base + QUEUE_DELAY_OFFSET, (int) micros);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport echoMicros(int sendMicros) {
        buffer.putInt(base + ECHO_OFFSET, sendMicros);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport highestSeq(long seq) {
        buffer.putLong(base + HIGHEST_SEQ_OFFSET, seq);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport cumulativeLost(long lost) {
        buffer.putInt(base + CUMULATIVE_LOST_OFFSET, (int) lost);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport fractionLost(int fraction) {
        buffer.putShort(base + FRACTION_LOST_OFFSET, (short) fraction);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport meanBurst16(int burst16) {
        buffer.putShort(base + MEAN_BURST_OFFSET, (short) burst16);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport jitterMicros(long jitter) {
        buffer.putInt(base + JITTER_OFFSET, (int) jitter);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport receiveRate(long bytesPerSecond) {
        buffer.putInt(base + RECEIVE_RATE_OFFSET, (int) bytesPerSecond);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport intervalMicros(long micros) {
        buffer.putInt(base + INTERVAL_OFFSET, (int) micros);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport packets(int packets) {
        buffer.putShort(base + PACKETS_OFFSET, (short) packets);
        return this;
    }

    @CanIgnoreReturnValue
    public FeedbackReport longestBurst(int burst) {
        buffer.putShort(base + LONGEST_BURST_OFFSET, (short) burst);
        return this;
    }
}
