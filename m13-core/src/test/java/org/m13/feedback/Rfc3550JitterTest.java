package org.m13.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Rfc3550JitterTest {
    @Test
    void constantTransitIsZeroJitterWhateverTheClockOffset() {
        Rfc3550Jitter j = new Rfc3550Jitter();
        for (int i = 0; i < 1000; i++) {
            j.update(i * 1000, i * 1000 + 123_456_789);
        }
        assertEquals(0, j.jitter());
    }

    /** The first step by hand: |D| = 160 from J = 0 gives 16 J = 160, J = 10 (= 160 / 16). */
    @Test
    void firstStepsFollowAppendixA8() {
        Rfc3550Jitter j = new Rfc3550Jitter();
        j.update(0, 1000);
        assertEquals(0, j.scaled());
        j.update(20_000, 21_160); // transit 1160, D = 160
        assertEquals(160, j.scaled());
        assertEquals(10, j.jitter());
        j.update(40_000, 41_000); // transit 1000, |D| = 160: 160 + 160 - ((160 + 8) >> 4) = 310
        assertEquals(310, j.scaled());
        assertEquals(19, j.jitter());
    }

    @Test
    void tracksTheFloatingPointFilterWithinRounding() {
        Random random = new Random(3);
        Rfc3550Jitter j = new Rfc3550Jitter();
        double reference = 0;
        int lastTransit = 0;
        for (int i = 0; i < 5000; i++) {
            int send = i * 10_000;
            int transit = 150_000 + random.nextInt(4001); // 150 ms +- uniform 0..4 ms
            j.update(send, send + transit);
            if (i > 0) {
                reference += (Math.abs(transit - lastTransit) - reference) / 16;
            }
            lastTransit = transit;
        }
        assertTrue(Math.abs(j.jitter() - reference) <= 2, j.jitter() + " vs " + reference);
        // Uniform on [0, 4000]: E|X - Y| = 4000 / 3.
        assertTrue(Math.abs(j.jitter() - 4000 / 3.0) < 250, "jitter " + j.jitter());
    }

    @Test
    void clockWrapDoesNotDisturbIt() {
        Rfc3550Jitter j = new Rfc3550Jitter();
        int send = Integer.MAX_VALUE - 50_000;
        int arrival = -100; // receiver clock about to wrap too
        for (int i = 0; i < 100; i++) {
            j.update(send, arrival);
            send += 1000;
            arrival += 1000;
        }
        assertEquals(0, j.jitter());
        j.reset();
        assertEquals(0, j.scaled());
    }
}
