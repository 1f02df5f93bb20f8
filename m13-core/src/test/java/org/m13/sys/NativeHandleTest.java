package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class NativeHandleTest {
    private static final ConcurrentLinkedQueue<Long> RELEASED = new ConcurrentLinkedQueue<>();

    private static void release(long value) {
        RELEASED.add(value);
    }

    @Test
    void closeReleasesOnceAndLeavesTheClosedValue() {
        Object owner = new Object();
        NativeHandle h = new NativeHandle(owner, 0x1234, -1, NativeHandleTest::release);
        assertEquals(0x1234, h.get());
        assertFalse(h.isClosed());
        h.close();
        h.close();
        assertTrue(h.isClosed());
        assertEquals(-1, h.get());
        assertEquals(1, RELEASED.stream().filter(v -> v == 0x1234).count());
    }

    @Test
    void aDroppedOwnerIsReleasedByTheCleaner() throws InterruptedException {
        long value = 0x5678;
        drop(value);
        for (int i = 0; i < 200 && !RELEASED.contains(value); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(1, RELEASED.stream().filter(v -> v == value).count());
    }

    private static void drop(long value) {
        NativeHandle h = new NativeHandle(new Object(), value, 0, NativeHandleTest::release);
        assertEquals(value, h.get());
    }
}
