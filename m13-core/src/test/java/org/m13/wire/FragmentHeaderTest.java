package org.m13.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FragmentHeaderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void layoutConstantsMatchTheWireFormat() {
        assertEquals(0, FragmentHeader.MSG_ID_OFFSET);
        assertEquals(2, FragmentHeader.INDEX_OFFSET);
        assertEquals(3, FragmentHeader.TOTAL_OFFSET);
        assertEquals(4, FragmentHeader.OFFSET_OFFSET);
        assertEquals(6, FragmentHeader.LENGTH_OFFSET);
        assertEquals(8, FragmentHeader.BYTES);
        assertEquals(1402, Wire.MAX_FRAGMENT_CHUNK);
        assertEquals(7, Wire.MAX_FRAGMENTS);
        assertEquals(9216, Wire.MAX_MESSAGE_BYTES);
        // The largest fragment frame is exactly one UDP payload.
        assertEquals(Wire.MAX_UDP_PAYLOAD,
                Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES + FragmentHeader.BYTES + Wire.MAX_FRAGMENT_CHUNK);
    }

    /** Golden bytes: big endian, at an absolute index, nothing else touched. */
    @Test
    void writesGoldenBytesAtAnAbsoluteIndex() {
        ByteBuffer b = ByteBuffer.allocateDirect(20);
        for (int i = 0; i < 20; i++) {
            b.put(i, (byte) 0xEE);
        }
        b.position(3);
        FragmentHeader h = new FragmentHeader().wrap(b, 5)
                .msgId(0xBEEF).index(6).total(7).offset(8412).length(804);
        byte[] all = new byte[20];
        b.get(0, all);
        byte[] expected = new byte[20];
        Arrays.fill(expected, (byte) 0xEE);
        System.arraycopy(HEX.parseHex("beef060720dc0324"), 0, expected, 5, 8);
        assertArrayEquals(expected, all);
        assertEquals(3, b.position());

        // Getters are unsigned.
        assertEquals(0xBEEF, h.msgId());
        assertEquals(6, h.index());
        assertEquals(7, h.total());
        assertEquals(8412, h.offset());
        assertEquals(804, h.length());
        ByteBuffer ff = ByteBuffer.wrap(HEX.parseHex("ffffffffffffffff"));
        FragmentHeader max = new FragmentHeader().wrap(ff, 0);
        assertEquals(0xFFFF, max.msgId());
        assertEquals(0xFF, max.index());
        assertEquals(0xFF, max.total());
        assertEquals(0xFFFF, max.offset());
        assertEquals(0xFFFF, max.length());
    }

    @Test
    void msgIdKeepsTheLow16BitsOfACounter() {
        FragmentHeader h = new FragmentHeader().wrap(ByteBuffer.allocate(8), 0).msgId(0x1_0005);
        assertEquals(5, h.msgId());
    }

    @Test
    void wrapRefusesAHeaderBeyondTheLimit() {
        ByteBuffer b = ByteBuffer.allocate(16);
        FragmentHeader h = new FragmentHeader();
        assertEquals(1, h.wrap(b, 8).msgId(1).msgId()); // the last 8 bytes fit
        assertThrows(IndexOutOfBoundsException.class, () -> h.wrap(b, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> h.wrap(b, -1));
        b.limit(15);
        assertThrows(IndexOutOfBoundsException.class, () -> h.wrap(b, 8));
    }
}
