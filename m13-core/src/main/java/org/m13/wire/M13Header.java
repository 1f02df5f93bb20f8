package org.m13.wire;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.nio.ByteBuffer;

/**
 * Flyweight over the 48-byte M13 header ({@code sig} = frame start + 14). All
 * multi-byte fields are big endian.
 *
 * <pre>
 *  0       1       2       3       4                              20
 * +-------+-------+-------+-------+------------------------------+
 * | magic |version|crypto | phase |        tag (16)              |  AAD = sig+0..4
 * +-------+-------+-------+-------+------------------------------+
 * 20                                    32
 * +-------------------------------------+
 * | nonce: seq (8) | dir (1) | 00 00 00 |
 * +-------------------------------------+
 * 32              40      41      43              48
 * +---------------+-------+-------+---------------+----------
 * |   seq (u64)   | flags |length |pad| send time | body ...
 * +---------------+-------+-------+---------------+----------
 *  \_______ encrypted when crypto = 0x01, from sig+32 to the end of the body _____/
 * </pre>
 *
 * {@code length} counts body bytes; the frame ends exactly at sig+48+length.
 * {@code phase} bit 0 is the key phase (which session key sealed the frame); the other
 * bits are reserved and zero. A received frame is checked in two steps because the
 * flags, length and padding are encrypted: {@link #checkOuter} before decryption,
 * {@link #checkInner} after (or at once for cleartext frames).
 */
public final class M13Header {
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int CRYPTO_OFFSET = 2;
    public static final int KEY_PHASE_OFFSET = 3;
    public static final int AAD_BYTES = 4;
    public static final int TAG_OFFSET = 4;
    public static final int TAG_BYTES = 16;
    public static final int NONCE_OFFSET = 20;
    public static final int NONCE_BYTES = 12;
    public static final int NONCE_DIRECTION_OFFSET = NONCE_OFFSET + 8;
    public static final int SEQ_OFFSET = 32;
    public static final int FLAGS_OFFSET = 40;
    public static final int LENGTH_OFFSET = 41;
    public static final int PADDING_OFFSET = 43;
    public static final int PADDING_BYTES = 1;
    /**
     * The sender's clock when it wrote the frame, microseconds (u32, wrapping), inside
     * the encryption: the receiver's RFC 3550 jitter estimate needs it. 0 in cleartext frames.
     */
    public static final int SEND_TIME_OFFSET = 44;
    public static final int BODY_OFFSET = Wire.M13_HEADER_BYTES;
    public static final int KEY_PHASE_MASK = 0x01;

    private ByteBuffer buffer;
    private int sig;

    /** Points at the header of the frame that starts at {@code frameOffset}. */
    @CanIgnoreReturnValue
    public M13Header wrap(ByteBuffer frameBuffer, int frameOffset) {
        this.buffer = frameBuffer;
        this.sig = frameOffset + Wire.ETH_HEADER_BYTES;
        return this;
    }

    /** Buffer index of the header's first byte (sig). */
    public int sigIndex() {
        return sig;
    }

    /** Buffer index of the first body byte. */
    public int bodyIndex() {
        return sig + BODY_OFFSET;
    }

    public int magic() {
        return u8(MAGIC_OFFSET);
    }

    public int version() {
        return u8(VERSION_OFFSET);
    }

    public int crypto() {
        return u8(CRYPTO_OFFSET);
    }

    public int keyPhase() {
        return u8(KEY_PHASE_OFFSET) & KEY_PHASE_MASK;
    }

    public long nonceSeq() {
        return buffer.getLong(sig + NONCE_OFFSET);
    }

    public int nonceDirection() {
        return u8(NONCE_DIRECTION_OFFSET);
    }

    public long seq() {
        return buffer.getLong(sig + SEQ_OFFSET);
    }

    public int flags() {
        return u8(FLAGS_OFFSET);
    }

    public boolean hasFlag(int flag) {
        return (flags() & flag) != 0;
    }

    public int length() {
        return buffer.getShort(sig + LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * Writes a complete cleartext header (crypto 0x00): tag and nonce zero, as for
     * registration, echo and handshake frames, which are authenticated inside their
     * own messages, not by the AEAD.
     */
    @CanIgnoreReturnValue
    public M13Header writeCleartext(long seq, int flags, int bodyLength) {
        writeCommon(Wire.CRYPTO_CLEARTEXT, 0, flags, bodyLength);
        for (int i = TAG_OFFSET; i < SEQ_OFFSET; i += 4) {
            buffer.putInt(sig + i, 0);
        }
        buffer.putLong(sig + SEQ_OFFSET, seq);
        return this;
    }

    /**
     * Writes the fields a seal needs before it runs (crypto 0x01, key phase, flags,
     * length, padding). The seal writes the nonce, the sequence number and the tag.
     */
    @CanIgnoreReturnValue
    public M13Header writeForSeal(int keyPhase, int flags, int bodyLength) {
        writeCommon(Wire.CRYPTO_AES_256_GCM, keyPhase & KEY_PHASE_MASK, flags, bodyLength);
        return this;
    }

    private void writeCommon(int crypto, int keyPhase, int flags, int bodyLength) {
        if (bodyLength < 0 || bodyLength > 0xFFFF) {
            throw new IllegalArgumentException("body length " + bodyLength + " out of range");
        }
        buffer.put(sig + MAGIC_OFFSET, (byte) Wire.MAGIC);
        buffer.put(sig + VERSION_OFFSET, (byte) Wire.VERSION);
        buffer.put(sig + CRYPTO_OFFSET, (byte) crypto);
        buffer.put(sig + KEY_PHASE_OFFSET, (byte) keyPhase);
        buffer.put(sig + FLAGS_OFFSET, (byte) flags);
        buffer.putShort(sig + LENGTH_OFFSET, (short) bodyLength);
        buffer.put(sig + PADDING_OFFSET, (byte) 0);
        buffer.putInt(sig + SEND_TIME_OFFSET, 0);
    }

    /** Stamps the sender's clock (microseconds, low 32 bits) into a frame being written. */
    @CanIgnoreReturnValue
    public M13Header sendTime(int micros) {
        buffer.putInt(sig + SEND_TIME_OFFSET, micros);
        return this;
    }

    /** The sender's clock at writing, microseconds (u32 as an int; only differences mean anything). */
    public int sendTime() {
        return buffer.getInt(sig + SEND_TIME_OFFSET);
    }

    /**
     * Checks what is readable before decryption: size, EtherType, magic, version,
     * crypto mode and the reserved key-phase bits.
     *
     * @param frameLength bytes from the frame start to the end of the received data
     * @return {@link FrameStatus#code()}
     */
    public int checkOuter(int frameLength) {
        if (frameLength < Wire.MIN_FRAME_BYTES || buffer.limit() - (sig - Wire.ETH_HEADER_BYTES) < frameLength) {
            return FrameStatus.TOO_SHORT.code();
        }
        if ((buffer.getShort(sig - Wire.ETH_HEADER_BYTES + EthernetHeader.ETHERTYPE_OFFSET) & 0xFFFF)
                != Wire.ETHERTYPE_M13) {
            return FrameStatus.BAD_ETHERTYPE.code();
        }
        if (magic() != Wire.MAGIC) {
            return FrameStatus.BAD_MAGIC.code();
        }
        if (version() != Wire.VERSION) {
            return FrameStatus.BAD_VERSION.code();
        }
        int crypto = crypto();
        if (crypto != Wire.CRYPTO_CLEARTEXT && crypto != Wire.CRYPTO_AES_256_GCM) {
            return FrameStatus.BAD_CRYPTO.code();
        }
        if ((u8(KEY_PHASE_OFFSET) & ~KEY_PHASE_MASK) != 0) {
            return FrameStatus.BAD_CRYPTO.code();
        }
        return FrameStatus.OK.code();
    }

    /**
     * Checks the fields behind the encryption boundary: reserved flag, the zero padding
     * byte, and that the length field matches the frame exactly. The send time may be
     * anything (it is authenticated with the rest in a sealed frame).
     *
     * @return {@link FrameStatus#code()}
     */
    public int checkInner(int frameLength) {
        if ((flags() & Flags.RESERVED) != 0) {
            return FrameStatus.RESERVED_FLAG.code();
        }
        if (buffer.get(sig + PADDING_OFFSET) != 0) {
            return FrameStatus.NONZERO_PADDING.code();
        }
        if (Wire.MIN_FRAME_BYTES + length() != frameLength) {
            return FrameStatus.BAD_LENGTH.code();
        }
        return FrameStatus.OK.code();
    }

    private int u8(int offset) {
        return buffer.get(sig + offset) & 0xFF;
    }
}
