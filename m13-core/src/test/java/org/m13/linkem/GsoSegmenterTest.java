package org.m13.linkem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Cutting a TCP/IPv4 super-frame into wire frames, checked field by field. */
class GsoSegmenterTest {
    private static final int MSS = 1448;
    private static final int IP = GsoSegmenter.VNET + 14;
    private static final int TCP = IP + 20;
    private static final int PAYLOAD = TCP + 32; // TCP header with 12 bytes of options

    /** A GSO frame: virtio header (TCPV4, gso_size MSS), Ethernet, IPv4, TCP with timestamps, payload. */
    private static int superFrame(ByteBuffer b, int payload, int tcpFlags) {
        b.put(0, (byte) 1).put(1, (byte) 1);
        b.putShort(2, Short.reverseBytes((short) (PAYLOAD - GsoSegmenter.VNET)));
        b.putShort(4, Short.reverseBytes((short) MSS));
        b.putShort(6, Short.reverseBytes((short) (TCP - GsoSegmenter.VNET)));
        b.putShort(8, Short.reverseBytes((short) 16));
        b.putShort(GsoSegmenter.VNET + 12, (short) 0x0800);
        b.put(IP, (byte) 0x45);
        b.putShort(IP + 2, (short) (20 + 32 + payload));
        b.putShort(IP + 4, (short) 0xFFFE); // identification wraps while segmenting
        b.putShort(IP + 6, (short) 0x4000);
        b.put(IP + 8, (byte) 64).put(IP + 9, (byte) 6);
        b.putInt(IP + 12, 0xC0000201).putInt(IP + 16, 0xC0000202);
        b.putShort(TCP, (short) 40000).putShort(TCP + 2, (short) 9300);
        b.putInt(TCP + 4, 0xFFFFF000); // sequence wraps too
        b.put(TCP + 12, (byte) 0x80).put(TCP + 13, (byte) tcpFlags);
        for (int i = 0; i < payload; i++) {
            b.put(PAYLOAD + i, (byte) (i * 7));
        }
        return PAYLOAD + payload;
    }

    private static int onesComplementSum(ByteBuffer b, int at, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += b.getShort(at + i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void cutsATcpSuperFrameIntoMssSizedSegments() {
        ByteBuffer src = ByteBuffer.allocate(65536);
        int payload = 3 * MSS + 100;
        int length = superFrame(src, payload, 0x80 | 0x10 | 0x08 | 0x01); // CWR ACK PSH FIN
        assertEquals(4, GsoSegmenter.segments(src, 0, length));
        assertEquals(PAYLOAD + MSS, GsoSegmenter.maxSegmentLength(src, 0, length));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(4096);
        for (int i = 0; i < 4; i++) {
            int n = GsoSegmenter.segment(src, 0, length, i, dst, 100);
            ByteBuffer s = dst.slice(100, n);
            int chunk = i < 3 ? MSS : 100;
            assertEquals(PAYLOAD + chunk, n);
            assertEquals(1, s.get(0), "NEEDS_CSUM");
            assertEquals(0, s.get(1), "no longer GSO");
            assertEquals(TCP - GsoSegmenter.VNET, Short.reverseBytes(s.getShort(6)));
            assertEquals(16, Short.reverseBytes(s.getShort(8)));
            assertEquals(20 + 32 + chunk, s.getShort(IP + 2) & 0xFFFF);
            assertEquals((0xFFFE + i) & 0xFFFF, s.getShort(IP + 4) & 0xFFFF);
            assertEquals(0xFFFF, onesComplementSum(s, IP, 20), "IPv4 header checksum");
            assertEquals(0xFFFFF000 + i * MSS, s.getInt(TCP + 4));
            int flags = s.get(TCP + 13) & 0xFF;
            assertEquals(i == 0 ? 0x80 : 0, flags & 0x80, "CWR on the first segment only");
            assertEquals(i == 3 ? 0x09 : 0, flags & 0x09, "FIN and PSH on the last segment only");
            assertEquals(0x10, flags & 0x10, "ACK on all");
            // The checksum field holds the folded pseudo-header sum (addresses, protocol, TCP length).
            ByteBuffer pseudo = ByteBuffer.allocate(12);
            pseudo.putInt(0, 0xC0000201).putInt(4, 0xC0000202).putShort(8, (short) 6)
                    .putShort(10, (short) (32 + chunk));
            assertEquals(onesComplementSum(pseudo, 0, 12), s.getShort(TCP + 16) & 0xFFFF);
            byte[] data = new byte[chunk];
            s.get(PAYLOAD, data);
            joined.writeBytes(data);
        }
        byte[] all = joined.toByteArray();
        assertEquals(payload, all.length);
        for (int i = 0; i < payload; i++) {
            assertEquals((byte) (i * 7), all[i], "payload byte " + i);
        }
    }

    @Test
    void ordinaryFramesAreOneSegmentAndUdpGsoIsRefused() {
        ByteBuffer b = ByteBuffer.allocate(2048);
        int length = superFrame(b, 500, 0x10);
        b.put(1, (byte) 0);
        assertEquals(1, GsoSegmenter.segments(b, 0, length));
        b.put(1, (byte) 5); // VIRTIO_NET_HDR_GSO_UDP_L4
        assertEquals(-1, GsoSegmenter.segments(b, 0, length));
        b.put(1, (byte) (1 | 0x80)); // TCPV4 with the ECN bit
        assertEquals(1, GsoSegmenter.segments(b, 0, length), "500 bytes fit one MSS");
    }
}
