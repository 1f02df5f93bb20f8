package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lmax.disruptor.BlockingWaitStrategy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m13.stage.FrameEvent;
import org.m13.stage.FusedHandler;
import org.m13.stage.NanoClock;
import org.m13.stage.Release;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.stage.Stage;
import org.m13.sys.UdpFrames;
import org.m13.wire.Wire;

class XdpLinkPollerTest {
    private static final byte[] HUB_MAC = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final byte[] NODE_MAC = {0x02, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xAA};
    private static final int HUB_IP = 0xC633_6401;
    private static final int NODE_IP = 0xC633_6402;
    private static final int PORT = 443;

    private final FakeXdpRings rings = new FakeXdpRings(16, 2048, 8);
    private final SlotPool pool = new SlotPool(16, 2048);
    private final NextHops hops = new NextHops(64);
    /** What the ring delivered: the frame (from offset 42) and the source Outer read in front of it. */
    private final List<byte[]> frames = new ArrayList<>();
    private final List<Long> sources = new ArrayList<>();
    private final RingPipeline rx = RingPipeline.singleProducer("rx", 64, new BlockingWaitStrategy(),
            r -> new Thread(r, "test-rx"), new FusedHandler("rx-0", new Stage() {
                @Override
                public String role() {
                    return "capture";
                }

                @Override
                public void onEvent(FrameEvent e) {
                    int index = pool.base(e.slot()) + e.offset();
                    byte[] f = new byte[e.length()];
                    pool.buffer().get(index, f);
                    synchronized (frames) {
                        frames.add(f);
                        sources.add(Outer.source(pool.buffer(), index));
                    }
                }
            }, new Release(pool, NanoClock.SYSTEM)));
    private final XdpLinkPoller poller = new XdpLinkPoller(new XdpRings[] {rings}, null, pool, rx, hops, PORT, "test0");

    @AfterEach
    void stop() {
        rx.close();
    }

    private static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(UdpFrames.HEADERS + payload.length);
        b.put(UdpFrames.HEADERS, payload);
        int n = UdpFrames.write(b, 0, HUB_MAC, NODE_MAC, NODE_IP, HUB_IP, sourcePort, destinationPort, payload.length);
        byte[] frame = new byte[n];
        b.get(0, frame);
        return frame;
    }

    private static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (seed + 3 * i);
        }
        return p;
    }

    @Test
    void aDatagramToThePortIsPublishedWithItsSourceWhereOuterReadsIt() {
        rx.start();
        byte[] m13 = payload(Wire.MIN_FRAME_BYTES + 40, 5);
        rings.arrive(udp(40002, PORT, m13));
        assertEquals(1, poller.doWork());
        assertTrue(rx.awaitDrained(10, TimeUnit.SECONDS));
        assertEquals(1, poller.received());
        assertArrayEquals(m13, frames.get(0), "the M13 frame at offset 42, exactly its UDP payload");
        assertEquals(Outer.address(NODE_IP, 40002), sources.get(0));
        long[] hop = new long[2];
        assertTrue(hops.lookup(Outer.address(NODE_IP, 40002), hop), "the next hop is learned");
        assertEquals(0x0266_7788_99AAL, hop[0]);
        assertEquals(HUB_IP, (int) hop[1]);
        assertEquals(8, rings.fillRing.size(), "the UMEM frame is back in the fill ring at once");
        assertEquals(0, pool.inUse(), "the slot came back through release");
    }

    @Test
    void anythingElseTheProgramRedirectedIsCountedAndDropped() {
        rx.start();
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        rings.arrive(arp);
        byte[] l2 = payload(Wire.MIN_FRAME_BYTES, 1);
        l2[12] = (byte) 0x88;
        l2[13] = (byte) 0xB5;
        rings.arrive(l2); // raw EtherType 0x88B5: not what a UDP hub takes
        rings.arrive(udp(40002, 9443, payload(100, 2)));
        byte[] options = udp(40002, PORT, payload(100, 3));
        options[14] = 0x46; // IHL 6: IP options
        rings.arrive(options);
        byte[] shortened = udp(40002, PORT, payload(100, 4));
        byte[] truncated = java.util.Arrays.copyOf(shortened, shortened.length - 10); // UDP length says 10 more
        rings.arrive(truncated);
        rings.arrive(udp(40003, PORT, payload(Wire.MIN_FRAME_BYTES, 6)));
        assertEquals(6, poller.doWork());
        assertTrue(rx.awaitDrained(10, TimeUnit.SECONDS));
        assertEquals(1, poller.received());
        assertEquals(4, poller.notUdp());
        assertEquals(1, poller.malformed());
        assertEquals(Outer.address(NODE_IP, 40003), sources.get(0));
        assertEquals(8, rings.fillRing.size(), "every frame went back to the fill ring");
        assertEquals(0, poller.doWork(), "nothing more");
    }

    @Test
    void aBatchLargerThanTheRingFitsIsTakenInPasses() {
        rx.start();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 8; i++) {
                rings.arrive(udp(41000 + i, PORT, payload(Wire.MIN_FRAME_BYTES + i, round * 8 + i)));
            }
            assertEquals(8, poller.doWork());
        }
        assertTrue(rx.awaitDrained(10, TimeUnit.SECONDS));
        assertEquals(24, poller.received());
        for (int i = 0; i < 24; i++) {
            assertArrayEquals(payload(Wire.MIN_FRAME_BYTES + i % 8, i), frames.get(i), "in order: " + i);
        }
        assertEquals(0, pool.inUse());
    }
}
