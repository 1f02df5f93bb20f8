package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The TUN reader's pacer never lets frames out faster than its rate: after the burst,
 * n bytes take at least n / rate (a lower bound on elapsed time, which a slow machine
 * only lengthens, so it cannot fail by load).
 */
class LinkPacerTest {
    @Test
    void framesNeverLeaveFasterThanTheRateAfterTheBurst() {
        LinkPacer pacer = new LinkPacer(2, 8_000_000L); // 1 MB/s
        int frame = 1458; // + 42 outer bytes = 1500 on the wire
        int frames = 200;
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            pacer.admit(1, frame);
        }
        long elapsed = System.nanoTime() - start;
        long wireBytes = (long) frames * (frame + LinkPacer.WIRE_OVERHEAD);
        long minimum = (wireBytes - LinkPacer.BURST_BYTES) * 1_000_000_000L / 1_000_000L;
        assertTrue(elapsed >= minimum, "took " + elapsed / 1e6 + " ms for " + wireBytes + " bytes at 1 MB/s, at least "
                + minimum / 1e6 + " ms expected");
        // how many waited depends on how late each wake-up was (a late one lets the next leave at once)
        assertTrue(pacer.paced() > 0 && pacer.waitedNanos() > 0, "frames past the burst waited");
    }

    @Test
    void eachPeerHasItsOwnRate() {
        LinkPacer pacer = new LinkPacer(2, 8_000_000L);
        for (int i = 0; i < 16; i++) { // one burst's worth to peer 0
            pacer.admit(0, 1472);
        }
        long waitedBefore = pacer.paced();
        pacer.admit(1, 1472); // peer 1's bucket is full: no wait
        assertEquals(waitedBefore, pacer.paced());
    }
}
