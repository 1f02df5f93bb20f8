package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PacerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void firstFrameLeavesAtOnceAndTheNextAfterItsTransmissionTime() {
        Pacer p = new Pacer(8_000_000, 0); // 1 byte per microsecond
        assertEquals(500, p.departureNanos(1000, 500));
        p.sent(1000, 500);
        assertEquals(500 + 1_000_000, p.departureNanos(1000, 600));
        assertEquals(500 + 1_000_000, p.departureNanos(1, 600), "burst 0: even a tiny frame waits");
        assertEquals(1000, p.backlogBytes(500));
        assertEquals(0, p.backlogBytes(500 + 1_000_000));
    }

    @Test
    void burstLetsThatManyBytesGoBackToBackAndNoMore() {
        Pacer p = new Pacer(8_000_000, 1514);
        long now = 10 * SECOND;
        int sent = 0;
        while (p.departureNanos(100, now) == now) {
            p.sent(100, now);
            sent += 100;
        }
        assertEquals(1500, sent, "fifteen 100-byte frames fit the 1514-byte burst, a sixteenth does not");
        // then the rate: the 16th may leave once 86 bytes drained (1600 - 1514), 86 us at 1 byte/us
        assertEquals(now + 86_000, p.departureNanos(100, now));
    }

    @Test
    void idleTimeBuildsNoCreditBeyondTheBurst() {
        Pacer p = new Pacer(8_000_000, 1514);
        p.sent(1514, 0);
        long later = 3600 * SECOND;
        assertEquals(later, p.departureNanos(1514, later));
        p.sent(1514, later);
        assertEquals(later + 1_514_000, p.departureNanos(1514, later), "an hour idle still allows one burst");
    }

    @Test
    void aFrameLargerThanTheBurstWaitsForAnEmptyBucket() {
        Pacer p = new Pacer(8_000_000, 100);
        p.sent(50, 0);
        assertEquals(50_000, p.departureNanos(1000, 0));
    }

    @Test
    void rateChangeKeepsTheDebtAndDrainsItAtTheNewRate() {
        Pacer p = new Pacer(8_000_000, 0);
        p.sent(1000, 0); // 1 ms at 1 byte/us
        p.rate(16_000_000, 500_000); // 500 bytes left, now at 2 bytes/us: 250 us
        assertEquals(750_000, p.departureNanos(1, 500_000));
        assertEquals(16_000_000, p.rateBitsPerSecond());
        p.rate(8_000, 750_000);
        p.sent(1, 750_000);
        assertEquals(750_000 + 1_000_000, p.departureNanos(1, 750_000), "1 byte at 1 kB/s is 1 ms");
    }

    @Test
    void refusesRatesBurstsAndFramesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(Pacer.MIN_RATE_BITS_PER_SECOND - 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(Pacer.MAX_RATE_BITS_PER_SECOND + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(8_000, -1));
        Pacer p = new Pacer();
        assertEquals(Pacer.DEFAULT_RATE_BITS_PER_SECOND, p.rateBitsPerSecond());
        assertEquals(Pacer.DEFAULT_BURST_BYTES, p.burstBytes());
        assertThrows(IllegalArgumentException.class, () -> p.departureNanos(0, 0));
        assertThrows(IllegalArgumentException.class, () -> p.rate(0, 0));
    }

    @Test
    void hugeRatesAndLongIdleDoNotOverflow() {
        Pacer p = new Pacer(Pacer.MAX_RATE_BITS_PER_SECOND, Pacer.MAX_BURST_BYTES);
        p.sent(Pacer.MAX_BURST_BYTES, 0);
        assertEquals(Long.MAX_VALUE / 2, p.departureNanos(Pacer.MAX_BURST_BYTES, Long.MAX_VALUE / 2));
        Pacer slow = new Pacer(Pacer.MIN_RATE_BITS_PER_SECOND, 0);
        slow.sent(Pacer.MAX_BURST_BYTES, 0);
        assertEquals((long) Pacer.MAX_BURST_BYTES * SECOND / 1000, slow.departureNanos(1, 0));
    }
}
