package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AF_PACKET sockets on a veth pair between two namespaces (root only). */
@Timeout(30)
class PacketSocketTest {
    private static final int VNET = PacketSocket.VNET_HEADER_BYTES;

    private NetnsFixture net;
    private String left;
    private String right;
    private String leftIf;
    private String rightIf;

    @BeforeEach
    void pair() {
        NetnsFixture.assumeRootAndNative();
        net = new NetnsFixture();
        left = net.namespace("pl");
        right = net.namespace("pr");
        leftIf = net.link("l");
        rightIf = net.link("r");
        net.veth(leftIf, left, rightIf, right);
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    /** A frame with an arbitrary EtherType (0x88B6, IEEE local experimental), behind a zero virtio header. */
    private static int frame(ByteBuffer b, int id, int payload) {
        for (int i = 0; i < VNET; i++) {
            b.put(i, (byte) 0);
        }
        for (int i = 0; i < 6; i++) {
            b.put(VNET + i, (byte) 0xFF);
            b.put(VNET + 6 + i, (byte) (0x02 + i));
        }
        b.putShort(VNET + 12, (short) 0x88B6);
        b.putInt(VNET + 14, id);
        for (int i = 4; i < payload; i++) {
            b.put(VNET + 14 + i, (byte) (id + i));
        }
        return VNET + 14 + payload;
    }

    @Test
    void framesCrossTheVethAndOwnTransmissionsAreNotReceived() throws Exception {
        try (PacketSocket a = net.callIn(left, () -> PacketSocket.open(leftIf, 1 << 20, true));
                PacketSocket b = net.callIn(right, () -> PacketSocket.open(rightIf, 1 << 20, false))) {
            assertEquals(leftIf, a.interfaceName());
            OffHeap out = OffHeap.allocate(2048);
            OffHeap in = OffHeap.allocate(2048);
            for (int id = 1; id <= 20; id++) {
                int length = frame(out.buffer(), id, 46 + id * 50);
                assertEquals(length, a.send(out.address(), length));
                int ready = PacketSocket.poll(a, b, 2_000_000_000L);
                assertEquals(PacketSocket.READY_SECOND, ready, "only the receiving side is readable");
                int n = b.receive(in.address(), 2048);
                assertEquals(length, n);
                byte[] sent = new byte[length - VNET];
                byte[] got = new byte[length - VNET];
                out.buffer().get(VNET, sent);
                in.buffer().get(VNET, got);
                assertArrayEquals(sent, got);
            }
            assertEquals(0, a.receive(in.address(), 2048), "PACKET_IGNORE_OUTGOING: no echo of our own frames");
            // Truncation is visible: the full length comes back, larger than the buffer.
            int length = frame(out.buffer(), 99, 1000);
            assertEquals(length, b.send(out.address(), length));
            assertEquals(PacketSocket.READY_FIRST, PacketSocket.poll(a, b, 2_000_000_000L));
            assertEquals(length, a.receive(in.address(), 200));
        }
    }

    @Test
    void pollTimesOutWithNanosecondResolution() throws Exception {
        try (PacketSocket a = net.callIn(left, () -> PacketSocket.open(leftIf, 0, true));
                PacketSocket b = net.callIn(right, () -> PacketSocket.open(rightIf, 0, true))) {
            long start = System.nanoTime();
            assertEquals(0, PacketSocket.poll(a, b, 3_500_000L));
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= 3_500_000L && elapsed < 100_000_000L, "poll took " + elapsed + " ns");
            OffHeap in = OffHeap.allocate(256);
            assertEquals(0, a.receive(in.address(), 256), "nothing queued: 0, not an error");
        }
    }

    @Test
    void openingAMissingInterfaceThrowsWithTheErrnoText() throws Exception {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> net.callIn(left, () -> PacketSocket.open("m13tnosuch0", 0, true)));
        assertEquals("if_nametoindex(m13tnosuch0): No such device (errno 19)", missing.getMessage());
        // The interface exists only in its own namespace.
        assertThrows(IllegalStateException.class, () -> net.callIn(left, () -> PacketSocket.open(rightIf, 0, true)));
        assertThrows(IllegalArgumentException.class, () -> PacketSocket.open("", 0, true));
        PacketSocket s = net.callIn(left, () -> PacketSocket.open(leftIf, 0, true));
        s.close();
        s.close(); // idempotent
    }
}
