package org.m13.daemon;

import java.nio.ByteBuffer;
import org.m13.sys.UdpFrames;

/**
 * The hub's outer IPv4 and UDP headers, which lie in the 42 bytes before each frame
 * ({@link org.m13.wire.Wire#UDP_HUB_FRAME_OFFSET}): AF_XDP delivers them there, and the
 * UDP-socket backend writes the datagram's source address to the same places, so the
 * stages read a peer's address the same way on both backends. On the send side the
 * producer writes the destination there and the link backend takes it from there.
 * Offsets relative to the frame start; everything big endian.
 */
public final class Outer {
    /** IPv4 source address, relative to the frame start. */
    public static final int SOURCE_IP = -UdpFrames.HEADERS + UdpFrames.ETHERNET_HEADER + 12;
    /** IPv4 destination address. */
    public static final int DESTINATION_IP = SOURCE_IP + 4;
    /** UDP source port. */
    public static final int SOURCE_PORT = -UdpFrames.UDP_HEADER;
    /** UDP destination port. */
    public static final int DESTINATION_PORT = SOURCE_PORT + 2;

    private Outer() {
    }

    /** An address as one long: the IPv4 address in bits 16..47, the port in 0..15. */
    public static long address(int ip, int port) {
        return (ip & 0xFFFF_FFFFL) << 16 | (port & 0xFFFF);
    }

    public static int ip(long address) {
        return (int) (address >>> 16);
    }

    public static int port(long address) {
        return (int) (address & 0xFFFF);
    }

    /** The source address of the frame at {@code frame}. */
    public static long source(ByteBuffer buffer, int frame) {
        return address(buffer.getInt(frame + SOURCE_IP), buffer.getShort(frame + SOURCE_PORT));
    }

    /** Writes where the frame at {@code frame} is to go. */
    public static void destination(ByteBuffer buffer, int frame, long address) {
        buffer.putInt(frame + DESTINATION_IP, ip(address));
        buffer.putShort(frame + DESTINATION_PORT, (short) port(address));
    }

    /** The destination the producer wrote for the frame at {@code frame}. */
    public static long destination(ByteBuffer buffer, int frame) {
        return address(buffer.getInt(frame + DESTINATION_IP), buffer.getShort(frame + DESTINATION_PORT));
    }

    /** "192.0.2.1:443". */
    public static String toString(long address) {
        int ip = ip(address);
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF) + ":"
                + port(address);
    }
}
