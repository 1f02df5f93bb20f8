package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.m13.wire.Wire;

class FecHeaderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void layoutConstantsMatchTheWireFormat() {
        assertEquals(0, FecHeader.GENERATION_OFFSET);
        assertEquals(2, FecHeader.INDEX_OFFSET);
        assertEquals(3, FecHeader.K_OFFSET);
        assertEquals(4, FecHeader.M_OFFSET);
        assertEquals(5, FecHeader.RESERVED_OFFSET);
        assertEquals(6, FecHeader.SEED_OFFSET);
        assertEquals(8, FecHeader.BYTES);
        assertEquals(1400, Fec.MAX_SYMBOL_BYTES);
        // The largest repair frame (2-byte length prefix + 1400) is exactly one UDP payload.
        assertEquals(Wire.MAX_UDP_PAYLOAD, Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES + FecHeader.BYTES
                + Fec.LENGTH_PREFIX_BYTES + Fec.MAX_SYMBOL_BYTES);
    }

    @Test
    void writesGoldenBytesAtAnAbsoluteIndex() {
        ByteBuffer b = ByteBuffer.allocateDirect(20);
        for (int i = 0; i < 20; i++) {
            b.put(i, (byte) 0xEE);
        }
        b.position(3);
        FecHeader h = new FecHeader().wrap(b, 5).generation(0x1BEEF).index(17).k(16).m(4).reserved(0).seed(0xCAFE);
        byte[] all = new byte[20];
        b.get(0, all);
        byte[] expected = new byte[20];
        Arrays.fill(expected, (byte) 0xEE);
        System.arraycopy(HEX.parseHex("beef11100400cafe"), 0, expected, 5, 8);
        assertArrayEquals(expected, all);
        assertEquals(3, b.position());
        assertEquals(0xBEEF, h.generation());
        assertEquals(17, h.index());
        assertEquals(16, h.k());
        assertEquals(4, h.m());
        assertEquals(0, h.reserved());
        assertEquals(0xCAFE, h.seed());
        assertEquals(true, h.isRepair());
    }

    @Test
    void gettersAreUnsigned() {
        ByteBuffer b = ByteBuffer.wrap(HEX.parseHex("ffff ffff ffff ffff".replace(" ", "")));
        FecHeader h = new FecHeader().wrap(b, 0);
        assertEquals(0xFFFF, h.generation());
        assertEquals(0xFF, h.index());
        assertEquals(0xFF, h.k());
        assertEquals(0xFF, h.m());
        assertEquals(0xFF, h.reserved());
        assertEquals(0xFFFF, h.seed());
        assertEquals(true, h.isRepair());
        h.index(3).k(4);
        assertEquals(false, h.isRepair());
    }

    @Test
    void wrapRefusesAHeaderBeyondTheLimit() {
        ByteBuffer b = ByteBuffer.allocate(16).limit(10);
        FecHeader h = new FecHeader();
        assertThrows(IndexOutOfBoundsException.class, () -> h.wrap(b, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> h.wrap(b, -1));
        assertEquals(h, h.wrap(b, 2));
    }
}
