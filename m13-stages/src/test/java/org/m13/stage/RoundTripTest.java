package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.lmax.disruptor.YieldingWaitStrategy;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.Direction;
import org.m13.wire.EthernetHeader;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Node -> hub and back in one JVM, four rings: node TX (seal, link-tx, release) -> link ->
 * hub RX (parse .. release; its tun sink echoes each packet into) hub TX (seal, link-tx,
 * release) -> link -> node RX (parse .. release). Each direction has its own key; the
 * hub's frames come back at the node's frame offset 0.
 */
class RoundTripTest {
    private static final int PACKETS = 20_000;
    private static final int WARM_UP = 5_000;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** The hub's tun: writes every packet it gets back towards the node, on the hub's TX ring. */
    private static final class Echo implements Sink {
        private final SlotPool txPool;
        private final EthernetHeader eth = new EthernetHeader();
        private RingPipeline txRing;
        long echoed;
        long noSlot;

        Echo(SlotPool txPool) {
            this.txPool = txPool;
        }

        @Override
        public DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
            int slot = txPool.alloc();
            long deadline = System.nanoTime() + STALL_NANOS;
            while (slot == SlotPool.NO_SLOT) {
                if (System.nanoTime() - deadline > 0) {
                    noSlot++;
                    return DropReason.DESTINATION_FULL;
                }
                Thread.onSpinWait();
                slot = txPool.alloc();
            }
            ByteBuffer out = txPool.buffer();
            int frame = txPool.base(slot);
            eth.wrap(out, frame).destination(TestFrames.NODE_MAC).source(TestFrames.HUB_MAC)
                    .etherType(Wire.ETHERTYPE_M13);
            out.put(frame + Wire.ETH_HEADER_BYTES + M13Header.FLAGS_OFFSET, (byte) Flags.TUNNEL);
            out.put(frame + Wire.MIN_FRAME_BYTES, buffer, bodyIndex, bodyLength);
            txRing.publish(slot, 0, Wire.MIN_FRAME_BYTES + bodyLength, event.peer(), System.nanoTime());
            echoed++;
            return DropReason.NONE;
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Test
    void packetsGoThereAndBackIntactWithNoLeakNoDropNoAllocation() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        SlotPool nodeTxPool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool hubRxPool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool hubTxPool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        SlotPool nodeRxPool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        SendSessionTable nodeSend = new SendSessionTable(1);
        SendSessionTable hubSend = new SendSessionTable(1);
        RingPipeline[] rings = new RingPipeline[4];
        long[] allocated = new long[4];
        long total = (long) WARM_UP + PACKETS;
        try (RxChain hub = new RxChain(hubRxPool); // node -> hub: key(1)
                RxChain node = new RxChain(nodeRxPool, Direction.NODE_TO_HUB, TestFrames.HUB_MAC, 2);
                AesGcm nodeKey = AesGcm.withKey(TestFrames.key(1));
                AesGcm hubKey = AesGcm.withKey(TestFrames.key(2))) {
            nodeSend.install(0, 0, nodeKey);
            hubSend.install(0, 0, hubKey);
            Echo echo = new Echo(hubTxPool);
            hub.tun.forward = echo;

            Release nodeTxRelease = new Release(nodeTxPool, NanoClock.SYSTEM);
            Release hubTxRelease = new Release(hubTxPool, NanoClock.SYSTEM);
            RingPipeline nodeRx = RingPipeline.singleProducer("node-rx", 512, new YieldingWaitStrategy(),
                    named("m13-node-rx"), new FusedHandler("node-rx", node.stages()));
            RingPipeline hubTx = RingPipeline.singleProducer("hub-tx", 512, new YieldingWaitStrategy(),
                    named("m13-hub-tx"), new FusedHandler("hub-tx", new Seal(hubTxPool, hubSend, Direction.HUB_TO_NODE),
                            new LinkTx(hubTxPool, new MemoryLink(nodeRxPool, nodeRx, Wire.UDP_NODE_FRAME_OFFSET)),
                            hubTxRelease));
            echo.txRing = hubTx;
            RingPipeline hubRx = RingPipeline.singleProducer("hub-rx", 512, new YieldingWaitStrategy(),
                    named("m13-hub-rx"), new FusedHandler("hub-rx", hub.stages()));
            RingPipeline nodeTx = RingPipeline.singleProducer("node-tx", 512, new YieldingWaitStrategy(),
                    named("m13-node-tx"), new FusedHandler("node-tx",
                            new Seal(nodeTxPool, nodeSend, Direction.NODE_TO_HUB),
                            new LinkTx(nodeTxPool, new MemoryLink(hubRxPool, hubRx, Wire.UDP_HUB_FRAME_OFFSET)),
                            nodeTxRelease));
            rings[0] = nodeTx;
            rings[1] = hubRx;
            rings[2] = hubTx;
            rings[3] = nodeRx;
            try {
                for (int i = 3; i >= 0; i--) {
                    rings[i].start();
                }
                long n = NodeToHubTest.tunRead(nodeTxPool, nodeTx, 0, WARM_UP);
                drain(rings);
                long[] before = new long[4];
                for (int i = 0; i < 4; i++) {
                    before[i] = threads.getThreadAllocatedBytes(rings[i].thread(0).getId());
                }
                long start = System.nanoTime();
                n = NodeToHubTest.tunRead(nodeTxPool, nodeTx, n, PACKETS);
                drain(rings);
                long elapsed = System.nanoTime() - start;
                for (int i = 0; i < 4; i++) {
                    allocated[i] = threads.getThreadAllocatedBytes(rings[i].thread(0).getId()) - before[i];
                }
                assertEquals(total, n);
                System.out.printf("node -> hub -> node: %d packets of 1400 B in %.1f ms (%.0f ns/round trip); "
                        + "allocated by node-tx, hub-rx, hub-tx, node-rx: %s bytes%n", PACKETS, elapsed / 1e6,
                        (double) elapsed / PACKETS, java.util.Arrays.toString(allocated));
            } finally {
                for (RingPipeline r : rings) {
                    r.close();
                }
            }
            for (RingPipeline r : rings) {
                assertFalse(r.thread(0).isAlive(), r.name() + " thread leaked");
                assertEquals(0, r.escapedErrors());
            }
            assertEquals(total, echo.echoed);
            assertEquals(0, echo.noSlot);
            assertEquals(total, node.tun.frames, "every packet came back");
            assertEquals(0, hub.tun.corrupt);
            assertEquals(0, node.tun.corrupt, "came back decrypted and intact, in seq order");
            assertEquals(0, hub.release.dropped(), hub.release.drops().toString());
            assertEquals(0, node.release.dropped(), node.release.drops().toString());
            assertEquals(0, nodeTxRelease.dropped(), nodeTxRelease.drops().toString());
            assertEquals(0, hubTxRelease.dropped(), hubTxRelease.drops().toString());
            assertEquals(total - 1, node.sessions.replayWindow(0, 0).highest());
        }
        for (SlotPool pool : new SlotPool[] {nodeTxPool, hubRxPool, hubTxPool, nodeRxPool}) {
            assertEquals(0, pool.inUse(), "slot leak");
            assertEquals(total, pool.frees());
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(allocated[i] < 8192, rings[i].name() + " allocated " + allocated[i] + " bytes");
        }
    }

    private static void drain(RingPipeline[] rings) {
        for (RingPipeline r : rings) {
            assertTrue(r.awaitDrained(30, TimeUnit.SECONDS), r.name() + " drained");
        }
    }
}
