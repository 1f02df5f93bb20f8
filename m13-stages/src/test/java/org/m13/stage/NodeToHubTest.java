package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.lmax.disruptor.YieldingWaitStrategy;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.wire.Direction;
import org.m13.wire.EthernetHeader;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Node to hub in one JVM: the node's TX ring (seal, link-tx, release) sends over an
 * in-memory link into the hub's RX ring (parse, decrypt, classify, scatter, release).
 * The test thread is the node's tun reader.
 */
class NodeToHubTest {
    private static final int PACKETS = 30_000;
    private static final int WARM_UP = 10_000;
    private static final int HUB_PEER = 0;

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Test
    void tunnelPacketsCrossTwoRingsIntactWithNoLeakNoDropNoAllocation() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        SlotPool nodePool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool hubPool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        SendSessionTable send = new SendSessionTable(1);
        long txAllocated;
        long rxAllocated;
        try (RxChain hub = new RxChain(hubPool); AesGcm nodeKey = AesGcm.withKey(TestFrames.key(1))) {
            send.install(HUB_PEER, 0, nodeKey);
            FusedHandler hubRx = new FusedHandler("hub-rx", hub.stages());
            try (RingPipeline rxRing = RingPipeline.singleProducer("hub-rx", 512, new YieldingWaitStrategy(),
                    named("m13-hub-rx"), hubRx)) {
                MemoryLink link = new MemoryLink(hubPool, rxRing, Wire.UDP_HUB_FRAME_OFFSET);
                Seal seal = new Seal(nodePool, send, Direction.NODE_TO_HUB);
                LinkTx linkTx = new LinkTx(nodePool, link);
                Release nodeRelease = new Release(nodePool, NanoClock.SYSTEM);
                FusedHandler nodeTx = new FusedHandler("node-tx", seal, linkTx, nodeRelease);
                try (RingPipeline txRing = RingPipeline.singleProducer("node-tx", 512, new YieldingWaitStrategy(),
                        named("m13-node-tx"), nodeTx)) {
                    rxRing.start();
                    txRing.start();
                    long seq = tunRead(nodePool, txRing, 0, WARM_UP);
                    drain(txRing, rxRing);
                    long tx0 = threads.getThreadAllocatedBytes(txRing.thread(0).getId());
                    long rx0 = threads.getThreadAllocatedBytes(rxRing.thread(0).getId());
                    long start = System.nanoTime();
                    seq = tunRead(nodePool, txRing, seq, PACKETS);
                    drain(txRing, rxRing);
                    long elapsed = System.nanoTime() - start;
                    txAllocated = threads.getThreadAllocatedBytes(txRing.thread(0).getId()) - tx0;
                    rxAllocated = threads.getThreadAllocatedBytes(rxRing.thread(0).getId()) - rx0;
                    System.out.printf("node -> hub: %d packets of 1400 B in %.1f ms (%.0f ns/packet); tx thread "
                            + "allocated %d bytes, rx thread %d bytes%n", PACKETS, elapsed / 1e6,
                            (double) elapsed / PACKETS, txAllocated, rxAllocated);
                    assertEquals(WARM_UP + PACKETS, seq);
                }
                long total = WARM_UP + PACKETS;
                assertEquals(0, link.refused);
                assertEquals(total, seal.sealed());
                assertEquals(total, linkTx.sent());
                assertEquals(total, nodeRelease.delivered());
                assertEquals(0, nodeRelease.dropped(), nodeRelease.drops().toString());
            }
            long total = WARM_UP + PACKETS;
            assertEquals(0, nodePool.inUse(), "node slot leak");
            assertEquals(0, hubPool.inUse(), "hub slot leak");
            assertEquals(total, hub.tun.frames);
            assertEquals(0, hub.tun.corrupt, "every packet arrived decrypted and intact");
            assertEquals(0, hub.release.dropped(), "unexpected drops " + hub.release.drops());
            assertEquals(total - 1, hub.sessions.replayWindow(0, 0).highest(), "seq 0 .. n-1 in order");
            assertTrue(txAllocated < 8192, "node tx thread allocated " + txAllocated + " bytes");
            assertTrue(rxAllocated < 8192, "hub rx thread allocated " + rxAllocated + " bytes");
        }
    }

    /**
     * The node's tun reader: writes {@code count} 1400-byte inner packets into TX slots as
     * a producer does (ETH header, flags, body) and publishes them for the hub peer.
     * Packet {@code n} carries the pattern for seq {@code n}, the number seal will give it.
     *
     * @return the next packet number
     */
    static long tunRead(SlotPool pool, RingPipeline txRing, long first, int count) {
        ByteBuffer b = pool.buffer();
        EthernetHeader eth = new EthernetHeader();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long n = first;
        for (int i = 0; i < count; i++, n++) {
            int slot;
            while ((slot = pool.alloc()) == SlotPool.NO_SLOT) {
                assertTrue(System.nanoTime() - deadline < 0, "node slots never came back");
                Thread.onSpinWait();
            }
            int length = TestFrames.cleartext(pool, slot, 0, TestFrames.NODE_MAC, n, 0, 1400);
            eth.wrap(b, pool.base(slot)).destination(TestFrames.HUB_MAC);
            b.put(pool.base(slot) + Wire.ETH_HEADER_BYTES + M13Header.FLAGS_OFFSET, (byte) Flags.TUNNEL);
            txRing.publish(slot, 0, length, HUB_PEER, System.nanoTime());
        }
        return n;
    }

    private static void drain(RingPipeline txRing, RingPipeline rxRing) {
        assertTrue(txRing.awaitDrained(30, TimeUnit.SECONDS), "node tx drained");
        assertTrue(rxRing.awaitDrained(30, TimeUnit.SECONDS), "hub rx drained");
    }
}
