package org.m13.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.m13.sys.OffHeap;

/** Golden bytes: every layout is pinned byte for byte, written and parsed. */
class WireFormatTest {
    private static final HexFormat HEX = HexFormat.of();

    private static String hex(ByteBuffer b, int from, int length) {
        byte[] out = new byte[length];
        b.get(from, out);
        return HEX.formatHex(out);
    }

    private static void put(ByteBuffer b, int at, String hex) {
        b.put(at, HEX.parseHex(hex));
    }

    // Registration frame: broadcast dst, node MAC 02:00:5e:00:53:01, EtherType 0x88B5,
    // magic D1, version 01, cleartext, phase 0, zero tag and nonce, seq 0, no flags, empty body.
    private static final String REGISTRATION =
            "ffffffffffff" + "02005e005301" + "88b5"
                    + "d1" + "01" + "00" + "00"
                    + "00000000000000000000000000000000"
                    + "000000000000000000000000"
                    + "0000000000000000" + "00" + "0000" + "0000000000";

    @Test
    void registrationFrameIsPinned() {
        OffHeap m = OffHeap.allocate(62);
        ByteBuffer b = m.buffer();
        new EthernetHeader().wrap(b, 0).destination(EthernetHeader.BROADCAST).source(0x02005e005301L)
                .etherType(Wire.ETHERTYPE_M13);
        M13Header h = new M13Header().wrap(b, 0).writeCleartext(0, 0, 0);
        assertEquals(REGISTRATION, hex(b, 0, 62));
        assertEquals(62, Wire.MIN_FRAME_BYTES);
        assertEquals(FrameStatus.OK.code(), h.checkOuter(62));
        assertEquals(FrameStatus.OK.code(), h.checkInner(62));
    }

    // Echo over UDP at the hub: the frame starts at 42 behind ETH+IPv4+UDP (not parsed here).
    // flags CONTROL (0x80), seq 0x0102030405060708, body "ping" (4 bytes).
    private static final String ECHO_FRAME =
            "02005e005301" + "02005e005302" + "88b5"
                    + "d1010000"
                    + "00000000000000000000000000000000"
                    + "000000000000000000000000"
                    + "0102030405060708" + "80" + "0004" + "0000000000"
                    + "70696e67";

    @Test
    void hubUdpPlacementReadsTheFrameAtOffset42() {
        OffHeap m = OffHeap.allocate(42 + 66);
        ByteBuffer b = m.buffer();
        put(b, 0, "ff".repeat(42)); // outer headers: whatever they are, the codec must not read them
        put(b, Wire.UDP_HUB_FRAME_OFFSET, ECHO_FRAME);

        EthernetHeader eth = new EthernetHeader().wrap(b, Wire.UDP_HUB_FRAME_OFFSET);
        M13Header h = new M13Header().wrap(b, Wire.UDP_HUB_FRAME_OFFSET);
        assertEquals(42, Wire.UDP_HUB_FRAME_OFFSET);
        assertEquals(56, h.sigIndex());
        assertEquals(104, h.bodyIndex());
        assertEquals(0x02005e005301L, eth.destination());
        assertEquals(0x02005e005302L, eth.source());
        assertEquals(0x88B5, eth.etherType());
        assertEquals(0xD1, h.magic());
        assertEquals(1, h.version());
        assertEquals(Wire.CRYPTO_CLEARTEXT, h.crypto());
        assertEquals(0x0102030405060708L, h.seq());
        assertEquals(Flags.CONTROL, h.flags());
        assertTrue(h.hasFlag(Flags.CONTROL));
        assertFalse(h.hasFlag(Flags.TUNNEL));
        assertEquals(4, h.length());
        assertEquals(FrameStatus.OK.code(), h.checkOuter(66));
        assertEquals(FrameStatus.OK.code(), h.checkInner(66));

        // and writing the same fields at the node's offset 0 gives the same bytes
        OffHeap n = OffHeap.allocate(66);
        ByteBuffer nb = n.buffer();
        new EthernetHeader().wrap(nb, Wire.UDP_NODE_FRAME_OFFSET).destination(0x02005e005301L)
                .source(0x02005e005302L).etherType(Wire.ETHERTYPE_M13);
        M13Header w = new M13Header().wrap(nb, Wire.UDP_NODE_FRAME_OFFSET)
                .writeCleartext(0x0102030405060708L, Flags.CONTROL, 4);
        nb.put(w.bodyIndex(), "ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(ECHO_FRAME, hex(nb, 0, 66));
    }

    @Test
    void sealPreparationWritesOnlyTheFieldsBeforeTheSeal() {
        OffHeap m = OffHeap.allocate(62 + 3);
        ByteBuffer b = m.buffer();
        put(b, 0, "aa".repeat(65));
        new M13Header().wrap(b, 0).writeForSeal(1, Flags.TUNNEL, 3);
        // tag, nonce, seq and body are left for the seal and the payload writer
        assertEquals("aa".repeat(14) + "d1010101" + "aa".repeat(16) + "aa".repeat(12) + "aa".repeat(8)
                + "20" + "0003" + "0000000000" + "aaaaaa", hex(b, 0, 65));
    }

    @Test
    void flagBitsAreDistinctAndDocumented() {
        int[] all = {Flags.CONTROL, Flags.FEEDBACK, Flags.TUNNEL, Flags.FEC, Flags.FIN, Flags.HANDSHAKE,
            Flags.FRAGMENT, Flags.RESERVED};
        int seen = 0;
        for (int f : all) {
            assertEquals(1, Integer.bitCount(f));
            assertEquals(0, seen & f);
            seen |= f;
        }
        assertEquals(0xFF, seen);
        assertEquals("80 40 20 10 08 04 02 01", String.format("%02x %02x %02x %02x %02x %02x %02x %02x",
                Flags.CONTROL, Flags.FEEDBACK, Flags.TUNNEL, Flags.FEC, Flags.FIN, Flags.HANDSHAKE,
                Flags.FRAGMENT, Flags.RESERVED));
    }

    @Test
    void sizesFollowFromTheMtu() {
        assertEquals(1402, Wire.MAX_FRAGMENT_CHUNK);
        assertEquals(1472, Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES + Wire.FRAGMENT_HEADER_BYTES
                + Wire.MAX_FRAGMENT_CHUNK);
        assertEquals(7, Wire.MAX_FRAGMENTS);
    }

    @Test
    void outerCheckRejectsEachMalformation() {
        assertEquals(FrameStatus.OK, outer(REGISTRATION, 62));
        assertEquals(FrameStatus.TOO_SHORT, outer(REGISTRATION, 61));
        assertEquals(FrameStatus.TOO_SHORT, outer(REGISTRATION.substring(0, 120), 60));
        assertEquals(FrameStatus.BAD_ETHERTYPE, outer(patch(REGISTRATION, 12, "0800"), 62));
        assertEquals(FrameStatus.BAD_MAGIC, outer(patch(REGISTRATION, 14, "d2"), 62));
        assertEquals(FrameStatus.BAD_VERSION, outer(patch(REGISTRATION, 15, "02"), 62));
        assertEquals(FrameStatus.BAD_CRYPTO, outer(patch(REGISTRATION, 16, "02"), 62));
        assertEquals(FrameStatus.BAD_CRYPTO, outer(patch(REGISTRATION, 17, "02"), 62));
        assertEquals(FrameStatus.OK, outer(patch(REGISTRATION, 17, "01"), 62)); // key phase 1
    }

    @Test
    void innerCheckRejectsEachMalformation() {
        assertEquals(FrameStatus.OK, inner(REGISTRATION, 62));
        assertEquals(FrameStatus.RESERVED_FLAG, inner(patch(REGISTRATION, 14 + 40, "01"), 62));
        assertEquals(FrameStatus.NONZERO_PADDING, inner(patch(REGISTRATION, 14 + 43, "80"), 62));
        assertEquals(FrameStatus.NONZERO_PADDING, inner(patch(REGISTRATION, 14 + 43, "01"), 62));
        assertEquals(FrameStatus.OK, inner(patch(REGISTRATION, 14 + 44, "deadbeef"), 62), "send time: any value");
        assertEquals(FrameStatus.BAD_LENGTH, inner(patch(REGISTRATION, 14 + 41, "0001"), 62));
        assertEquals(FrameStatus.BAD_LENGTH, inner(REGISTRATION + "00", 63)); // trailing byte
        assertEquals(FrameStatus.OK, inner(patch(REGISTRATION, 14 + 41, "0001") + "00", 63));
    }

    @Test
    void headerRefusesAnImpossibleLength() {
        OffHeap m = OffHeap.allocate(62);
        M13Header h = new M13Header().wrap(m.buffer(), 0);
        assertThrows(IllegalArgumentException.class, () -> h.writeCleartext(0, 0, 65536));
        assertThrows(IllegalArgumentException.class, () -> h.writeForSeal(0, 0, -1));
    }

    @Test
    void statusCodesAreStable() {
        for (FrameStatus s : FrameStatus.values()) {
            assertEquals(s, FrameStatus.of(s.code()));
        }
        assertEquals(-7, FrameStatus.BAD_LENGTH.code());
        assertThrows(IllegalArgumentException.class, () -> FrameStatus.of(1));
    }

    private static String patch(String frameHex, int at, String bytes) {
        return frameHex.substring(0, at * 2) + bytes + frameHex.substring(at * 2 + bytes.length());
    }

    private static ByteBuffer load(String frameHex) {
        byte[] bytes = HEX.parseHex(frameHex);
        OffHeap m = OffHeap.allocate(bytes.length);
        m.buffer().put(0, bytes);
        return m.buffer();
    }

    private static FrameStatus outer(String frameHex, int frameLength) {
        return FrameStatus.of(new M13Header().wrap(load(frameHex), 0).checkOuter(frameLength));
    }

    private static FrameStatus inner(String frameHex, int frameLength) {
        return FrameStatus.of(new M13Header().wrap(load(frameHex), 0).checkInner(frameLength));
    }
}
