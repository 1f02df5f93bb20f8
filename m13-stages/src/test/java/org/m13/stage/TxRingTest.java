package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lmax.disruptor.YieldingWaitStrategy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.wire.Direction;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * The TX ring with several producers (tun-read, control, feedback in the daemon), each
 * allocating from its own slot-pool partition; one consumer seals, sends and releases.
 */
class TxRingTest {
    private static final int PRODUCERS = 3;
    private static final int PER_PRODUCER = 10_000;

    @Test
    void threeProducersShareTheRingEachWithItsOwnPartition() throws InterruptedException {
        SlotPool pool = new SlotPool(PRODUCERS * 64, 2048, PRODUCERS);
        SendSessionTable send = new SendSessionTable(1);
        long[] nextSeq = {0};
        long[] outOfOrder = {0};
        LinkTx linkTx = new LinkTx(pool, (buffer, index, length) -> {
            // Seal hands out sequence numbers in ring order: the link sees 0, 1, 2, ...
            long seq = buffer.getLong(index + Wire.ETH_HEADER_BYTES + M13Header.NONCE_OFFSET);
            outOfOrder[0] += seq == nextSeq[0]++ ? 0 : 1;
            return true;
        });
        Release release = new Release(pool, NanoClock.SYSTEM);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (AesGcm key = AesGcm.withKey(TestFrames.key(3))) {
            send.install(0, 0, key);
            Seal seal = new Seal(pool, send, Direction.HUB_TO_NODE);
            FusedHandler tx = new FusedHandler("tx", seal, linkTx, release);
            try (RingPipeline ring = RingPipeline.multiProducer("tx", 256, new YieldingWaitStrategy(), runnable -> {
                Thread t = new Thread(runnable, "m13-tx");
                t.setDaemon(true);
                return t;
            }, tx)) {
                ring.start();
                CountDownLatch done = new CountDownLatch(PRODUCERS);
                for (int p = 0; p < PRODUCERS; p++) {
                    int partition = p;
                    Thread producer = new Thread(() -> {
                        try {
                            produce(pool, ring, partition);
                        } catch (RuntimeException | AssertionError e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            done.countDown();
                        }
                    }, "producer-" + p);
                    producer.setDaemon(true);
                    producer.start();
                }
                assertTrue(done.await(60, TimeUnit.SECONDS), "producers finished");
                assertEquals(null, failure.get());
                assertTrue(ring.awaitDrained(30, TimeUnit.SECONDS));
            }
            long total = (long) PRODUCERS * PER_PRODUCER;
            assertEquals(total, seal.sealed());
            assertEquals(total, linkTx.sent());
            assertEquals(0, outOfOrder[0]);
            assertEquals(total, release.delivered());
            assertEquals(0, release.dropped(), release.drops().toString());
            assertEquals(0, pool.inUse(), "slot leak");
            assertEquals(total, pool.allocations());
        }
    }

    private static void produce(SlotPool pool, RingPipeline ring, int partition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < PER_PRODUCER; i++) {
            int slot;
            while ((slot = pool.alloc(partition)) == SlotPool.NO_SLOT) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("partition " + partition + ": no slot came back");
                }
                Thread.onSpinWait();
            }
            if (pool.partitionOf(slot) != partition) {
                throw new AssertionError("slot " + slot + " is not of partition " + partition);
            }
            int length = TestFrames.cleartext(pool, slot, 0, TestFrames.HUB_MAC, 0, 0x20, 200 + partition);
            ring.publish(slot, 0, length, 0, System.nanoTime());
        }
    }
}
