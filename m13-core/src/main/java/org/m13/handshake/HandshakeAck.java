package org.m13.handshake;

/**
 * ACK of a handshake message's fragments: 7 bytes, sent unfragmented.
 *
 * <pre>
 *  offset  size  field
 *       0     1  type 0x05
 *       1     1  version 0x02
 *       2     4  message id (big-endian) of the message acknowledged
 *       6     1  bitmap of fragments held: bit i = data fragment i, bit count = parity
 *       7        end
 * </pre>
 *
 * Handshake messages have at most 5 data fragments plus parity, so one byte holds the
 * bitmap. An ACK carries no secret and is not authenticated: a forged ACK can at worst
 * make a sender skip a repair until its timer fires, or resend what was not lost.
 */
public final class HandshakeAck {
    public static final int OFFSET_MSG_ID = 2;
    public static final int OFFSET_BITMAP = 6;
    public static final int BYTES = 7;

    private final int msgId;
    private final int bitmap;

    private HandshakeAck(int msgId, int bitmap) {
        this.msgId = msgId;
        this.bitmap = bitmap;
    }

    public static byte[] encode(int msgId, int bitmap) {
        if ((bitmap & ~0xFF) != 0) {
            throw new IllegalArgumentException("bitmap must fit one byte, got " + Integer.toHexString(bitmap));
        }
        byte[] b = new byte[BYTES];
        b[0] = (byte) HandshakeProtocol.TYPE_ACK;
        b[1] = (byte) HandshakeProtocol.VERSION;
        for (int i = 0; i < 4; i++) {
            b[OFFSET_MSG_ID + i] = (byte) (msgId >>> (24 - 8 * i));
        }
        b[OFFSET_BITMAP] = (byte) bitmap;
        return b;
    }

    /** Parses an ACK; throws IllegalArgumentException for a wrong length, type or version. */
    public static HandshakeAck decode(byte[] message) {
        try {
            HandshakeProtocol.checkHeader(message, HandshakeProtocol.TYPE_ACK, BYTES);
        } catch (HandshakeException e) {
            throw new IllegalArgumentException("not a handshake ACK: " + e.reason().label(), e);
        }
        int id = 0;
        for (int i = 0; i < 4; i++) {
            id = (id << 8) | (message[OFFSET_MSG_ID + i] & 0xFF);
        }
        return new HandshakeAck(id, message[OFFSET_BITMAP] & 0xFF);
    }

    public int msgId() {
        return msgId;
    }

    public int bitmap() {
        return bitmap;
    }
}
