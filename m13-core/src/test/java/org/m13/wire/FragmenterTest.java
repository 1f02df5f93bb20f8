package org.m13.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FragmenterTest {
    private static final int BODY = Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES;
    private final Fragmenter fragmenter = new Fragmenter();

    @ParameterizedTest(name = "{0} bytes -> {1} fragments")
    @CsvSource({"1,1", "1401,1", "1402,1", "1403,2", "2804,2", "2805,3", "8412,6", "8413,7", "9216,7"})
    void fragmentCount(int messageLength, int expected) {
        assertEquals(expected, Fragmenter.fragmentCount(messageLength));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 9217, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void refusesMessageLengthsOutside1To9216(int messageLength) {
        assertThrows(IllegalArgumentException.class, () -> Fragmenter.fragmentCount(messageLength));
        ByteBuffer src = ByteBuffer.allocate(10_000);
        ByteBuffer dst = ByteBuffer.allocate(2_000);
        assertThrows(IllegalArgumentException.class, () -> fragmenter.write(src, 0, messageLength, 1, 0, dst, 0));
    }

    @Test
    void writesOnlyTheFragmentHeaderAndChunk() {
        int length = 2 * 1402 + 5;
        byte[] message = new byte[length];
        new Random(1).nextBytes(message);
        ByteBuffer src = ByteBuffer.allocate(length + 3);
        src.put(3, message);
        ByteBuffer dst = ByteBuffer.allocateDirect(Wire.MAX_UDP_PAYLOAD + 10);
        for (int i = 0; i < dst.capacity(); i++) {
            dst.put(i, (byte) 0x5A);
        }

        int written = fragmenter.write(src, 3, length, 0x1_2345, 2, dst, BODY);
        assertEquals(8 + 5, written);
        FragmentHeader h = new FragmentHeader().wrap(dst, BODY);
        assertEquals(0x2345, h.msgId());
        assertEquals(2, h.index());
        assertEquals(3, h.total());
        assertEquals(2804, h.offset());
        assertEquals(5, h.length());
        byte[] chunk = new byte[5];
        dst.get(BODY + 8, chunk);
        assertArrayEquals(Arrays.copyOfRange(message, 2804, 2809), chunk);
        for (int i = 0; i < dst.capacity(); i++) {
            if (i < BODY || i >= BODY + written) {
                assertEquals((byte) 0x5A, dst.get(i), "byte " + i + " outside the fragment was written");
            }
        }
        assertEquals(0, src.position());
        assertEquals(0, dst.position());

        assertEquals(8 + 1402, fragmenter.write(src, 3, length, 7, 0, dst, BODY));
        assertEquals(0, new FragmentHeader().wrap(dst, BODY).offset());
        assertEquals(8 + 1402, fragmenter.write(src, 3, length, 7, 1, dst, BODY));
        assertEquals(1402, new FragmentHeader().wrap(dst, BODY).offset());
    }

    /** Every fragment frame of every message length fits a 1472-byte UDP payload. */
    @Test
    void everyFrameFitsAUdpPayload() {
        ByteBuffer src = ByteBuffer.allocate(Wire.MAX_MESSAGE_BYTES);
        ByteBuffer dst = ByteBuffer.allocate(Wire.MAX_UDP_PAYLOAD);
        for (int length = 1; length <= Wire.MAX_MESSAGE_BYTES; length++) {
            int count = Fragmenter.fragmentCount(length);
            int sum = 0;
            for (int i = 0; i < count; i++) {
                int body = fragmenter.write(src, 0, length, length, i, dst, BODY);
                assertTrue(BODY + body <= Wire.MAX_UDP_PAYLOAD);
                assertEquals(body - 8, Fragmenter.chunkLength(length, i));
                sum += body - 8;
            }
            assertEquals(length, sum);
        }
    }

    @Test
    void refusesBadIndexesAndShortBuffersWithoutWriting() {
        ByteBuffer src = ByteBuffer.allocate(3000);
        ByteBuffer dst = ByteBuffer.allocate(1000);
        assertThrows(IllegalArgumentException.class, () -> fragmenter.write(src, 0, 2804, 1, 2, dst, 0));
        assertThrows(IllegalArgumentException.class, () -> fragmenter.write(src, 0, 2804, 1, -1, dst, 0));
        assertThrows(IllegalArgumentException.class, () -> Fragmenter.chunkLength(1402, 1));
        // 8 + 1402 bytes do not fit: nothing written, not even the header.
        assertThrows(IndexOutOfBoundsException.class, () -> fragmenter.write(src, 0, 2804, 1, 0, dst, 0));
        assertArrayEquals(new byte[1000], dst.array());
        // The source region must lie within the source.
        assertThrows(IndexOutOfBoundsException.class, () -> fragmenter.write(src, 2000, 1001, 1, 0, dst, 0));
        assertArrayEquals(new byte[1000], dst.array());
    }
}
