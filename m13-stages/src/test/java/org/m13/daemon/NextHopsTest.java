package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NextHopsTest {
    private static final int HUB_IP = 0xC633_6401; // 198.51.100.1
    private final long[] out = new long[2];

    private static long node(int i) {
        return Outer.address(0xC633_6400 + i, 40000 + i);
    }

    @Test
    void aLearnedAddressGivesItsMacAndTheAddressItSentTo() {
        NextHops hops = new NextHops(64);
        assertFalse(hops.lookup(node(2), out), "nothing learned yet");
        hops.learn(node(2), 0x0200_0000_0002L, HUB_IP);
        assertTrue(hops.lookup(node(2), out));
        assertEquals(0x0200_0000_0002L, out[0]);
        assertEquals(HUB_IP, (int) out[1]);
        assertFalse(hops.lookup(Outer.address(0xC633_6402, 40001), out), "another port of that host: another node");

        hops.learn(node(2), 0x0200_0000_0099L, 0xCB00_7101); // a new router, another hub address
        assertTrue(hops.lookup(node(2), out));
        assertEquals(0x0200_0000_0099L, out[0]);
        assertEquals(0xCB00_7101, (int) out[1]);
        assertEquals(0, hops.replaced());
    }

    @Test
    void theAddressZeroIsAnAddressLikeAnyOther() {
        NextHops hops = new NextHops(8);
        hops.learn(0, 0x0200_0000_0001L, HUB_IP);
        assertTrue(hops.lookup(0, out));
        assertEquals(0x0200_0000_0001L, out[0]);
    }

    @Test
    void aFullProbeWindowReplacesTheEntryHeardFromLeastRecently() {
        NextHops hops = new NextHops(NextHops.PROBE); // one window: every address competes
        for (int i = 0; i < NextHops.PROBE; i++) {
            hops.learn(node(i), 0x0200_0000_0000L + i, HUB_IP);
        }
        hops.learn(node(0), 0x0200_0000_0000L, HUB_IP); // node 0 speaks again: node 1 is now the oldest
        hops.learn(node(100), 0x0200_0000_0000L + 100, HUB_IP);
        assertEquals(1, hops.replaced());
        assertFalse(hops.lookup(node(1), out), "the least recently heard was replaced");
        for (int i : new int[] {0, 2, 3, 7, 100}) {
            assertTrue(hops.lookup(node(i), out), "node " + i);
            assertEquals(0x0200_0000_0000L + i, out[0]);
        }
        hops.learn(node(1), 0x0200_0000_0001L, HUB_IP); // its next frame teaches it again
        assertTrue(hops.lookup(node(1), out));
    }

    @Test
    void capacityMustBeAPowerOfTwoWithinBounds() {
        assertThrows(IllegalArgumentException.class, () -> new NextHops(100));
        assertThrows(IllegalArgumentException.class, () -> new NextHops(4));
        assertThrows(IllegalArgumentException.class, () -> new NextHops(NextHops.MAX_CAPACITY * 2));
        assertEquals(1024, new NextHops(1024).capacity());
    }

    /**
     * A reader never sees one write's MAC with another write's local address: the writer
     * keeps rewriting the entries of two addresses, MAC and address always derived from one
     * counter, while a reader checks every entry it reads.
     */
    @Test
    void aReaderNeverPairsHalfOfOneWriteWithHalfOfAnother() throws Exception {
        NextHops hops = new NextHops(8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        Thread writer = new Thread(() -> {
            for (long n = 1; !stop.get(); n++) {
                long address = node((int) (n & 1));
                hops.learn(address, n & 0xFFFF_FFFF_FFFFL, (int) (n * 31));
                writes.lazySet(n);
            }
        }, "next-hops-writer");
        writer.start();
        long[] seen = new long[2];
        long consistent = 0;
        try {
            for (int i = 0; i < 200_000 || writes.get() < 1000; i++) {
                if (hops.lookup(node(i & 1), seen)) {
                    assertEquals((int) (seen[0] * 31), (int) seen[1], "MAC " + seen[0] + " with another write's IP");
                    assertEquals(i & 1, (int) (seen[0] & 1), "an entry of the other address");
                    consistent++;
                }
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertTrue(consistent > 0, "the reader found entries");
    }
}
