package org.m13.linkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DepartureQueueTest {
    @Test
    void takesInDepartureOrderAndTiesInArrivalOrder() {
        DepartureQueue queue = new DepartureQueue(64);
        SplittableRandom random = new SplittableRandom(1);
        long[] departureOf = new long[64];
        for (int i = 0; i < 64; i++) {
            int slot = queue.acquire();
            departureOf[slot] = random.nextLong(0, 8); // many ties
            queue.schedule(slot, departureOf[slot], i);
        }
        assertEquals(-1, queue.acquire());
        long lastDeparture = -1;
        int lastLength = -1;
        while (queue.size() > 0) {
            long next = queue.nextDeparture();
            int slot = queue.take();
            assertEquals(next, queue.departure(slot));
            assertTrue(next > lastDeparture || (next == lastDeparture && queue.length(slot) > lastLength));
            lastDeparture = next;
            lastLength = queue.length(slot);
            queue.release(slot);
        }
        assertEquals(Long.MAX_VALUE, queue.nextDeparture());
        assertEquals(-1, queue.take());
        assertTrue(queue.freeSlot() >= 0);
    }
}
