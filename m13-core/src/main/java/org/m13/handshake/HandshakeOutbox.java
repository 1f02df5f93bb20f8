package org.m13.handshake;

/**
 * Where the handshake drivers put what is to be sent; the fragment layer frames it
 * (flags CONTROL | HANDSHAKE | FRAGMENT) and the scheduler sends it as critical
 * traffic. Called synchronously from the driver's event methods.
 */
public interface HandshakeOutbox {
    /** One fragment of message {@code msgId}: {@code index} of {@code count} data fragments (index = count: parity). */
    void sendFragment(int msgId, int index, int count, byte[] chunk);

    /** An ACK: the bitmap of fragments of {@code msgId} held. */
    void sendAck(int msgId, int bitmap);

    /** A single unfragmented message (the CookieReply), sent once, never retransmitted. */
    void sendMessage(byte[] message);
}
