package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SlotPoolTest {
    @Test
    void holdsAcceptsExactlyTheRegionsInsideASlot() {
        SlotPool pool = new SlotPool(4, 2048);
        assertTrue(pool.holds(0, 0, 2048));
        assertTrue(pool.holds(3, 2047, 1));
        assertTrue(pool.holds(3, 2048, 0));
        assertFalse(pool.holds(4, 0, 1));
        assertFalse(pool.holds(-1, 0, 1));
        assertFalse(pool.holds(0, 1, 2048));
        assertFalse(pool.holds(0, -1, 10));
        assertFalse(pool.holds(0, 0, -1));
        assertFalse(pool.holds(0, Integer.MAX_VALUE, 2)); // no overflow into "inside"
    }

    @Test
    void handsOutEverySlotOnceThenReportsExhaustion() {
        SlotPool pool = new SlotPool(5, 2048);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            int slot = pool.alloc();
            assertTrue(slot >= 0 && slot < 5, "slot " + slot);
            assertTrue(seen.add(slot), "slot " + slot + " handed out twice");
            assertTrue(pool.isInUse(slot));
        }
        assertEquals(5, pool.inUse());
        assertEquals(0, pool.available());
        assertEquals(SlotPool.NO_SLOT, pool.alloc());
        assertEquals(1, pool.exhausted());
        for (int slot : seen) {
            pool.free(slot);
            assertFalse(pool.isInUse(slot));
        }
        assertEquals(0, pool.inUse());
        assertEquals(5, pool.allocations());
        assertEquals(5, pool.frees());
    }

    @Test
    void doubleFreeAndForeignSlotsAreRefused() {
        SlotPool pool = new SlotPool(4, 2048);
        assertThrows(IllegalStateException.class, () -> pool.free(2), "never allocated");
        int slot = pool.alloc();
        pool.free(slot);
        assertThrows(IllegalStateException.class, () -> pool.free(slot), "freed twice");
        assertThrows(IndexOutOfBoundsException.class, () -> pool.free(4));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.free(-1));
        assertEquals(0, pool.inUse(), "a refused free changes no accounting");
        assertEquals(1, pool.frees());
    }

    @Test
    void slotsAreDisjointFixedSizeRegionsOfOneBuffer() {
        SlotPool pool = new SlotPool(3, 2048);
        assertEquals(3 * 2048, pool.buffer().capacity());
        for (int slot = 0; slot < 3; slot++) {
            assertEquals(slot * 2048, pool.base(slot));
            assertEquals(pool.address() + slot * 2048L, pool.address(slot));
        }
        pool.buffer().put(pool.base(1) + 2047, (byte) 0x7F);
        assertEquals(0, pool.buffer().get(pool.base(2)));
        assertEquals(0x7F, pool.buffer().get(2 * 2048 - 1));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.base(3));
        assertThrows(IllegalArgumentException.class, () -> new SlotPool(0, 2048));
        assertThrows(IllegalArgumentException.class, () -> new SlotPool(4, 16));
        assertThrows(IllegalArgumentException.class, () -> new SlotPool(1 << 20, 1 << 12));
    }

    /** Random alloc/free order over a pool whose size is not a power of two: accounting stays exact. */
    @Test
    void accountingHoldsUnderRandomChurn() {
        SlotPool pool = new SlotPool(7, 256);
        Random random = new Random(6);
        int[] held = new int[7];
        int count = 0;
        for (int step = 0; step < 100_000; step++) {
            if (count < 7 && (count == 0 || random.nextBoolean())) {
                int slot = pool.alloc();
                assertNotEquals(SlotPool.NO_SLOT, slot);
                held[count++] = slot;
            } else {
                int pick = random.nextInt(count);
                pool.free(held[pick]);
                held[pick] = held[--count];
            }
            assertEquals(count, pool.inUse());
        }
        assertEquals(pool.allocations() - pool.frees(), count);
        assertEquals(0, pool.exhausted());
    }

    /** One thread allocates, another frees: no slot is lost, none is handed out twice. */
    @Test
    void oneAllocatorAndOneFreerOnTwoThreads() throws InterruptedException {
        SlotPool pool = new SlotPool(64, 256);
        BlockingQueue<Integer> handOver = new ArrayBlockingQueue<>(64);
        int total = 200_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread freer = new Thread(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    int slot = handOver.take();
                    if (!pool.isInUse(slot)) {
                        throw new AssertionError("slot " + slot + " handed over but not in use");
                    }
                    pool.free(slot);
                }
            } catch (InterruptedException | RuntimeException | AssertionError e) {
                failure.set(e);
            }
        }, "freer");
        freer.start();
        for (int i = 0; i < total; i++) {
            int slot;
            while ((slot = pool.alloc()) == SlotPool.NO_SLOT) {
                Thread.onSpinWait();
            }
            assertTrue(handOver.offer(slot, 10, TimeUnit.SECONDS));
        }
        freer.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(null, failure.get());
        assertEquals(0, pool.inUse());
        assertEquals(total, pool.allocations());
        assertEquals(total, pool.frees());
    }

    @Test
    void allocAndFreeDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        SlotPool pool = new SlotPool(16, 2048);
        long failures = churn(pool, 20_000);
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        failures += churn(pool, 1_000_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, failures);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 1 000 000 alloc+free");
    }

    private static long churn(SlotPool pool, int count) {
        long failures = 0;
        for (int i = 0; i < count; i++) {
            int a = pool.alloc();
            int b = pool.alloc();
            failures += a < 0 || b < 0 ? 1 : 0;
            pool.free(a);
            pool.free(b);
        }
        return failures;
    }

    @Test
    void partitionsHaveDisjointSlotsAndGetTheirOwnSlotsBack() {
        SlotPool pool = new SlotPool(6, 256, 3);
        assertEquals(3, pool.partitions());
        int[][] taken = new int[3][2];
        for (int p = 0; p < 3; p++) {
            taken[p][0] = pool.alloc(p);
            taken[p][1] = pool.alloc(p);
            assertEquals(p, pool.partitionOf(taken[p][0]));
            assertEquals(p, pool.partitionOf(taken[p][1]));
            assertEquals(SlotPool.NO_SLOT, pool.alloc(p), "partition " + p + " holds 2 slots");
        }
        assertEquals(6, pool.inUse());
        assertEquals(3, pool.exhausted());
        pool.free(taken[1][0]);
        assertEquals(SlotPool.NO_SLOT, pool.alloc(0), "a slot freed goes back to its own partition");
        assertEquals(taken[1][0], pool.alloc(1));
        assertThrows(IllegalArgumentException.class, () -> new SlotPool(7, 256, 3));
        assertThrows(IllegalArgumentException.class, () -> new SlotPool(6, 256, 0));
    }
}
