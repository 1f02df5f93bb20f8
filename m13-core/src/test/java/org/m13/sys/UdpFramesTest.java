package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Header layout and checksums of {@link UdpFrames}; no privileges, no native code. */
class UdpFramesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] DST = HEX.parseHex("020000000002");
    private static final byte[] SRC = HEX.parseHex("020000000001");

    @Test
    void ipv4HeaderMatchesAKnownAnswer() {
        // The classic example header: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7.
        ByteBuffer b = ByteBuffer.allocate(200);
        int length = UdpFrames.write(b, 0, DST, SRC, 0xC0A80001, 0xC0A800C7, 1234, 443, 0x73 - 28);
        assertEquals(14 + 0x73, length);
        byte[] ip = new byte[20];
        b.get(14, ip);
        assertEquals("45000073000040004011b861c0a80001c0a800c7", HEX.formatHex(ip));
        assertEquals(0, UdpFrames.checksum(b, 14, 20, 0), "a valid header sums to zero");
    }

    @Test
    void udpChecksumVerifiesOverThePseudoHeaderForOddAndEvenLengths() {
        Random random = new Random(13);
        for (int payload = 0; payload < 64; payload++) {
            ByteBuffer b = ByteBuffer.allocate(2048);
            byte[] body = new byte[payload];
            random.nextBytes(body);
            b.put(UdpFrames.HEADERS, body);
            int src = 0xC0000201;
            int dst = 0xC0000202;
            int length = UdpFrames.write(b, 0, DST, SRC, src, dst, 443, 5000, payload);
            assertEquals(UdpFrames.HEADERS + payload, length);
            int udpLength = 8 + payload;
            long pseudo = (long) (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + 17 + udpLength;
            assertEquals(0, UdpFrames.checksum(b, 34, udpLength, pseudo), "payload " + payload);
            assertTrue(UdpFrames.isUdpTo(b, 0, length, 5000));
            assertFalse(UdpFrames.isUdpTo(b, 0, length, 443));
            byte[] mac = new byte[6];
            UdpFrames.sourceMac(b, 0, mac);
            assertArrayEquals(SRC, mac);
        }
    }

    @Test
    void aTruncatedOrNonIpv4FrameIsNotUdp() {
        ByteBuffer b = ByteBuffer.allocate(64);
        int length = UdpFrames.write(b, 0, DST, SRC, 1, 2, 3, 4, 0);
        assertFalse(UdpFrames.isUdpTo(b, 0, length - 1, 4));
        b.putShort(12, (short) 0x88B5);
        assertFalse(UdpFrames.isUdpTo(b, 0, length, 4));
    }
}
