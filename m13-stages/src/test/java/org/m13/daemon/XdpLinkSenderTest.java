package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.m13.stage.FrameEvent;
import org.m13.stage.SlotPool;
import org.m13.sys.UdpFrames;
import org.m13.telemetry.DropReason;
import org.m13.wire.Wire;

class XdpLinkSenderTest {
    private static final long HUB_MAC = 0x0211_2233_4455L;
    private static final long ROUTER_MAC = 0x0266_7788_99AAL;
    private static final int HUB_IP = 0xC633_6401; // 198.51.100.1
    private static final long NODE = Outer.address(0xC633_6402, 40002); // 198.51.100.2:40002
    private static final int PORT = 443;

    private final FakeXdpRings rings = new FakeXdpRings(8, 2048, 4); // 4 RX frames, 4 for TX
    private final NextHops hops = new NextHops(64);
    private final SlotPool pool = new SlotPool(8, 2048);
    private final List<Long> viaKernel = new ArrayList<>();
    private final XdpLinkSender sender = new XdpLinkSender(rings, hops, (buffer, index, length) -> {
        viaKernel.add(Outer.destination(buffer, index));
        return true;
    }, HUB_MAC, PORT);

    /** A TX slot as a producer leaves it: the destination in front, the frame at 42. */
    private int frame(long to, int length, int seed) {
        int slot = pool.alloc();
        int index = pool.base(slot) + Wire.UDP_HUB_FRAME_OFFSET;
        for (int i = 0; i < length; i++) {
            pool.buffer().put(index + i, (byte) (seed + i * 7));
        }
        Outer.destination(pool.buffer(), index, to);
        return index;
    }

    @Test
    void aFrameLeavesWithCompleteHeadersFromTheAddressTheNodeSentTo() {
        hops.learn(NODE, ROUTER_MAC, HUB_IP);
        int index = frame(NODE, 300, 1);
        assertTrue(sender.send(pool.buffer(), index, 300));
        assertEquals(List.of(1), rings.transmitCalls, "no batch announced: out at once");
        long[] d = rings.transmitted.get(0);
        int at = (int) d[0];
        assertTrue(at >= 4 * 2048, "a TX frame, not one of the fill ring's");
        assertEquals(UdpFrames.HEADERS + 300, d[1]);
        ByteBuffer u = rings.umem;
        assertEquals(ROUTER_MAC, mac(u, at), "next hop learned from the node's frames");
        assertEquals(HUB_MAC, mac(u, at + 6));
        assertEquals(UdpFrames.ETHERTYPE_IPV4, u.getShort(at + 12) & 0xFFFF);
        assertEquals(HUB_IP, u.getInt(at + 26), "source: the address the node sent to");
        assertEquals(Outer.ip(NODE), u.getInt(at + 30));
        assertEquals(0, UdpFrames.checksum(u, at + 14, 20, 0), "IPv4 header checksum");
        assertEquals(PORT, u.getShort(at + 34) & 0xFFFF);
        assertEquals(Outer.port(NODE), u.getShort(at + 36) & 0xFFFF);
        assertEquals(8 + 300, u.getShort(at + 38) & 0xFFFF);
        long pseudo = (long) (HUB_IP >>> 16) + (HUB_IP & 0xFFFF) + (Outer.ip(NODE) >>> 16) + (Outer.ip(NODE) & 0xFFFF)
                + UdpFrames.PROTOCOL_UDP + 8 + 300;
        assertEquals(0, UdpFrames.checksum(u, at + 34, 8 + 300, pseudo), "UDP checksum over the pseudo header");
        for (int i = 0; i < 300; i++) {
            assertEquals(pool.buffer().get(index + i), u.get(at + UdpFrames.HEADERS + i), "payload byte " + i);
        }
        assertTrue(UdpFrames.isUdpTo(u, at, (int) d[1], Outer.port(NODE)));
    }

    @Test
    void framesOfOneRingBatchGoToTheTxRingTogether() {
        hops.learn(NODE, ROUTER_MAC, HUB_IP);
        XdpLinkTx linkTx = new XdpLinkTx(pool, sender);
        linkTx.onBatchStart(3, 3);
        for (int i = 0; i < 3; i++) {
            int index = frame(NODE, 100, i);
            FrameEvent e = new FrameEvent().received(index / 2048, Wire.UDP_HUB_FRAME_OFFSET, 100, 0);
            linkTx.onEvent(e);
            assertEquals(DropReason.NONE, e.drop());
            assertEquals(i < 2 ? List.of() : List.of(3), rings.transmitCalls, "after event " + i);
        }
        assertEquals(3, sender.sent());
        assertEquals(3, linkTx.linkTx().sent());
    }

    @Test
    void aDestinationWithoutANextHopGoesThroughTheKernel() {
        int index = frame(NODE, 62, 0);
        assertTrue(sender.send(pool.buffer(), index, 62));
        assertEquals(List.of(NODE), viaKernel);
        assertEquals(1, sender.viaKernel());
        assertTrue(rings.transmitted.isEmpty());
    }

    @Test
    void withEveryTxFrameInFlightTheFrameIsRefusedUntilCompletionsReturn() {
        hops.learn(NODE, ROUTER_MAC, HUB_IP);
        for (int i = 0; i < 4; i++) {
            assertTrue(sender.send(pool.buffer(), frame(NODE, 100, i), 100));
        }
        assertEquals(0, sender.freeFrames());
        assertFalse(sender.send(pool.buffer(), frame(NODE, 100, 9), 100), "no UMEM frame free");
        assertEquals(1, sender.noFrame());
        rings.finishSending();
        assertTrue(sender.send(pool.buffer(), frame(NODE, 100, 10), 100), "completed frames are reused");
        assertEquals(5, sender.sent());
        assertEquals(3, sender.freeFrames(), "4 came back, 1 in flight again");
    }

    @Test
    void framesTheTxRingCannotTakeGoFirstAtTheNextFlush() {
        hops.learn(NODE, ROUTER_MAC, HUB_IP);
        sender.beginBatch(3);
        rings.txRoom = 2;
        for (int i = 0; i < 3; i++) {
            assertTrue(sender.send(pool.buffer(), frame(NODE, 80 + i, i), 80 + i));
            sender.eventDone();
        }
        assertEquals(2, sender.sent());
        assertEquals(1, sender.pendingFrames());
        rings.txRoom = Integer.MAX_VALUE;
        sender.flush();
        assertEquals(3, sender.sent());
        assertEquals(0, sender.pendingFrames());
        List<Long> lengths = new ArrayList<>();
        for (long[] d : rings.transmitted) {
            lengths.add(d[1] - UdpFrames.HEADERS);
        }
        assertEquals(List.of(80L, 81L, 82L), lengths, "in order");
    }

    private static long mac(ByteBuffer b, int at) {
        return (b.getInt(at) & 0xFFFF_FFFFL) << 16 | (b.getShort(at + 4) & 0xFFFF);
    }
}
