package org.m13.sys;

import java.nio.ByteBuffer;

/**
 * Ethernet II + IPv4 + UDP headers for frames sent through AF_XDP, where no kernel
 * stack fills them in: every field and both checksums are computed here. The
 * destination MAC is the next hop, learned from the source MAC of the peer's
 * frames ({@link #sourceMac}).
 * <pre>
 *   0      6      12   14                          34        42
 *   | dst  | src  |type| IPv4 (20, no options)     | UDP (8) | payload ...
 *   |  MAC |  MAC |0800| ver/ihl tos len id frag ttl proto csum src dst |
 * </pre>
 * All offsets are relative to the frame start {@code at}; buffers are big-endian.
 */
public final class UdpFrames {
    public static final int ETHERNET_HEADER = 14;
    public static final int IPV4_HEADER = 20;
    public static final int UDP_HEADER = 8;
    public static final int HEADERS = ETHERNET_HEADER + IPV4_HEADER + UDP_HEADER;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int PROTOCOL_UDP = 17;
    public static final int MAC_LENGTH = 6;
    private static final int TTL = 64;
    private static final int DONT_FRAGMENT = 0x4000;

    private UdpFrames() {
    }

    /**
     * Writes the headers in front of the {@code payloadLength} bytes already at
     * {@code at + HEADERS}; returns the frame length.
     */
    public static int write(ByteBuffer b, int at, byte[] destinationMac, byte[] sourceMac, int sourceIp,
            int destinationIp, int sourcePort, int destinationPort, int payloadLength) {
        int ipLength = IPV4_HEADER + UDP_HEADER + payloadLength;
        if (ipLength > 0xFFFF) {
            throw new IllegalArgumentException("payload too long: " + payloadLength);
        }
        b.put(at, destinationMac, 0, MAC_LENGTH);
        b.put(at + MAC_LENGTH, sourceMac, 0, MAC_LENGTH);
        b.putShort(at + 12, (short) ETHERTYPE_IPV4);
        int ip = at + ETHERNET_HEADER;
        b.put(ip, (byte) 0x45);
        b.put(ip + 1, (byte) 0);
        b.putShort(ip + 2, (short) ipLength);
        b.putShort(ip + 4, (short) 0);
        b.putShort(ip + 6, (short) DONT_FRAGMENT);
        b.put(ip + 8, (byte) TTL);
        b.put(ip + 9, (byte) PROTOCOL_UDP);
        b.putShort(ip + 10, (short) 0);
        b.putInt(ip + 12, sourceIp);
        b.putInt(ip + 16, destinationIp);
        b.putShort(ip + 10, (short) checksum(b, ip, IPV4_HEADER, 0));
        int udp = ip + IPV4_HEADER;
        int udpLength = UDP_HEADER + payloadLength;
        b.putShort(udp, (short) sourcePort);
        b.putShort(udp + 2, (short) destinationPort);
        b.putShort(udp + 4, (short) udpLength);
        b.putShort(udp + 6, (short) 0);
        long pseudo = (long) (sourceIp >>> 16) + (sourceIp & 0xFFFF) + (destinationIp >>> 16) + (destinationIp & 0xFFFF)
                + PROTOCOL_UDP + udpLength;
        int sum = checksum(b, udp, udpLength, pseudo);
        b.putShort(udp + 6, (short) (sum == 0 ? 0xFFFF : sum)); // 0 means "no checksum" in UDP
        return ETHERNET_HEADER + ipLength;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes plus {@code initial}. */
    public static int checksum(ByteBuffer b, int at, int length, long initial) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < length; i += 2) {
            sum += b.getShort(at + i) & 0xFFFF;
        }
        if (i < length) {
            sum += (b.get(at + i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** Copies the frame's source MAC (the next hop for replies) into {@code out}. */
    public static void sourceMac(ByteBuffer b, int at, byte[] out) {
        b.get(at + MAC_LENGTH, out, 0, MAC_LENGTH);
    }

    /** Whether the frame is an IPv4 UDP datagram (no IP options) to {@code port}. */
    public static boolean isUdpTo(ByteBuffer b, int at, int length, int port) {
        return length >= HEADERS && (b.getShort(at + 12) & 0xFFFF) == ETHERTYPE_IPV4
                && b.get(at + ETHERNET_HEADER) == 0x45 && b.get(at + ETHERNET_HEADER + 9) == PROTOCOL_UDP
                && (b.getShort(at + ETHERNET_HEADER + IPV4_HEADER + 2) & 0xFFFF) == port;
    }
}
