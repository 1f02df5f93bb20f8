package org.m13.linkem;

import java.nio.ByteBuffer;

/**
 * Software segmentation of TCP super-frames. A TCP sender on a veth (TSO/GSO on)
 * hands the kernel frames of up to 64 KB; an AF_PACKET socket with
 * {@code PACKET_VNET_HDR} receives them whole, with {@code gso_type} and
 * {@code gso_size} in the {@code virtio_net_hdr}. The relay cuts them into the
 * MTU-sized frames a real link would carry, so loss and rate apply per wire frame:
 * headers copied, IPv4 total length, identification and header checksum or IPv6
 * payload length rewritten, TCP sequence advanced, FIN/PSH kept on the last segment
 * and CWR on the first, and each segment's TCP checksum left to the kernel
 * ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM} with the pseudo-header sum in place).
 *
 * <pre>
 * virtio_net_hdr (10 bytes, little endian):
 *  0 flags  1 gso_type  2 hdr_len  4 gso_size  6 csum_start  8 csum_offset
 * </pre>
 */
final class GsoSegmenter {
    static final int VNET = 10;
    private static final int FLAG_NEEDS_CSUM = 1;
    private static final int GSO_NONE = 0;
    private static final int GSO_TCPV4 = 1;
    private static final int GSO_TCPV6 = 4;
    private static final int GSO_ECN = 0x80;
    private static final int ETH_HEADER = 14;
    private static final int TCP_CHECK = 16;

    private GsoSegmenter() {
    }

    private static int le16(ByteBuffer b, int at) {
        return Short.reverseBytes(b.getShort(at)) & 0xFFFF;
    }

    private static void putLe16(ByteBuffer b, int at, int value) {
        b.putShort(at, Short.reverseBytes((short) value));
    }

    /** Where the IP header starts (after Ethernet and at most one VLAN tag), or -1. */
    private static int ipOffset(ByteBuffer b, int frame) {
        int type = b.getShort(frame + 12) & 0xFFFF;
        if (type == 0x8100 || type == 0x88A8) {
            return frame + ETH_HEADER + 4;
        }
        return frame + ETH_HEADER;
    }

    /**
     * How many wire frames the received frame at {@code [at, at + length)} (virtio
     * header first) stands for: 1 when it is not a GSO frame, the segment count for
     * a TCP/IPv4 or TCP/IPv6 one, -1 for a GSO kind this class does not cut (UDP).
     */
    static int segments(ByteBuffer b, int at, int length) {
        int gso = b.get(at + 1) & ~GSO_ECN & 0xFF;
        if (gso == GSO_NONE) {
            return 1;
        }
        int payloadStart = payloadStart(b, at, length, gso);
        int mss = le16(b, at + 4);
        if (payloadStart < 0 || mss == 0) {
            return -1;
        }
        int payload = at + length - payloadStart;
        return payload <= 0 ? 1 : (payload + mss - 1) / mss;
    }

    /** Offset of the TCP payload, or -1 when the headers are not plain IPv4/IPv6 + TCP or run past the frame. */
    private static int payloadStart(ByteBuffer b, int at, int length, int gso) {
        int frame = at + VNET;
        int ip = ipOffset(b, frame);
        int end = at + length;
        int tcp;
        if (gso == GSO_TCPV4) {
            if (ip + 20 > end || (b.get(ip) & 0xF0) != 0x40 || b.get(ip + 9) != 6) {
                return -1;
            }
            tcp = ip + (b.get(ip) & 0x0F) * 4;
        } else if (gso == GSO_TCPV6) {
            if (ip + 40 > end || (b.get(ip) & 0xF0) != 0x60 || b.get(ip + 6) != 6) {
                return -1;
            }
            tcp = ip + 40;
        } else {
            return -1;
        }
        if (tcp + 20 > end) {
            return -1;
        }
        int start = tcp + ((b.get(tcp + 12) >> 4) & 0x0F) * 4;
        return start > end ? -1 : start;
    }

    /** Length (virtio header included) of the largest segment {@link #segment} writes for this GSO frame. */
    static int maxSegmentLength(ByteBuffer b, int at, int length) {
        int gso = b.get(at + 1) & ~GSO_ECN & 0xFF;
        return payloadStart(b, at, length, gso) - at + le16(b, at + 4);
    }

    /**
     * Writes segment {@code index} of the GSO frame at {@code [at, at + length)} in
     * {@code src} to {@code dst} at {@code to} (virtio header first); returns its
     * length. {@code index} is below {@link #segments}.
     */
    static int segment(ByteBuffer src, int at, int length, int index, ByteBuffer dst, int to) {
        int gso = src.get(at + 1) & ~GSO_ECN & 0xFF;
        int frame = at + VNET;
        int ip = ipOffset(src, frame);
        int payloadStart = payloadStart(src, at, length, gso);
        int mss = le16(src, at + 4);
        int payload = at + length - payloadStart;
        int first = index * mss;
        int chunk = Math.min(mss, payload - first);
        int headers = payloadStart - frame;
        boolean v4 = gso == GSO_TCPV4;
        int tcp = v4 ? ip + (src.get(ip) & 0x0F) * 4 : ip + 40;
        int tcpLength = payloadStart - tcp + chunk;

        dst.put(to, (byte) FLAG_NEEDS_CSUM);
        dst.put(to + 1, (byte) GSO_NONE);
        putLe16(dst, to + 2, headers);
        putLe16(dst, to + 4, 0);
        putLe16(dst, to + 6, tcp - frame);
        putLe16(dst, to + 8, TCP_CHECK);
        int out = to + VNET;
        dst.put(out, src, frame, headers);
        dst.put(out + headers, src, payloadStart + first, chunk);

        int dIp = out + (ip - frame);
        int dTcp = out + (tcp - frame);
        long sum;
        if (v4) {
            int ihl = tcp - ip;
            dst.putShort(dIp + 2, (short) (ihl + tcpLength));
            dst.putShort(dIp + 4, (short) ((src.getShort(ip + 4) & 0xFFFF) + index));
            dst.putShort(dIp + 10, (short) 0);
            dst.putShort(dIp + 10, (short) ~fold(sum(dst, dIp, ihl)));
            sum = sum(dst, dIp + 12, 8);
        } else {
            dst.putShort(dIp + 4, (short) tcpLength);
            sum = sum(dst, dIp + 8, 32);
        }
        dst.putInt(dTcp + 4, src.getInt(tcp + 4) + first);
        int flags = src.get(tcp + 13) & 0xFF;
        if (first + chunk < payload) {
            flags &= ~0x09; // FIN, PSH: last segment only
        }
        if (index > 0) {
            flags &= ~0x80; // CWR: first segment only
        }
        dst.put(dTcp + 13, (byte) flags);
        // CHECKSUM_PARTIAL convention: the folded pseudo-header sum, not complemented.
        dst.putShort(dTcp + TCP_CHECK, (short) fold(sum + 6 + tcpLength));
        return VNET + headers + chunk;
    }

    private static long sum(ByteBuffer b, int at, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += b.getShort(at + i) & 0xFFFF;
        }
        return sum;
    }

    private static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
