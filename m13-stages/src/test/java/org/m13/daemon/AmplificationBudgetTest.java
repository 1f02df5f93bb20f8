package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AmplificationBudgetTest {
    private static final long NODE = Outer.address(0xC633_6402, 40000);
    private static final int FRAGMENT = 1472 + 28; // a full handshake fragment on the wire
    private static final int PADDED_ACK = 62 + 1200 + 28;

    @Test
    void theFirstServerHelloFlightFitsAndRepairsWaitForTheNodesAcks() {
        AmplificationBudget b = new AmplificationBudget(16);
        assertFalse(b.trySend(NODE, 91), "nothing received: not even an ECHO");
        b.received(NODE, 90); // registration
        assertTrue(b.trySend(NODE, 91), "the ECHO");
        for (int i = 0; i < 3; i++) {
            b.received(NODE, FRAGMENT); // ClientHello, two data fragments and parity
        }
        for (int i = 0; i < 6; i++) {
            assertTrue(b.trySend(NODE, FRAGMENT), "ServerHello fragment " + i);
        }
        for (int i = 6; i < 9; i++) {
            assertTrue(b.trySend(NODE, FRAGMENT), "fragment " + i + " still fits 3x of 4590 bytes (13770)");
        }
        assertFalse(b.trySend(NODE, FRAGMENT), "a tenth would exceed 3x (15091 bytes)");
        assertEquals(2, b.held(), "the ECHO before any byte arrived, and the tenth fragment");
        b.received(NODE, PADDED_ACK); // the node reports a gap
        assertTrue(b.trySend(NODE, FRAGMENT), "one padded ACK earns a repair...");
        assertTrue(b.trySend(NODE, FRAGMENT), "...and a second");
        assertFalse(b.trySend(NODE, FRAGMENT), "but not a third");
        b.validated(NODE);
        assertFalse(b.trySend(NODE, FRAGMENT), "after validation the caller stops asking; forgotten here");
        assertEquals(0, b.sources());
    }

    @Test
    void neverMoreThanThreeTimesWhatAnAddressSent() {
        SplittableRandom random = new SplittableRandom(7);
        AmplificationBudget b = new AmplificationBudget(1024);
        long[] received = new long[8];
        long[] sent = new long[8];
        for (int i = 0; i < 100_000; i++) {
            int who = random.nextInt(8);
            long source = Outer.address(0xC633_6400 + who, 1000);
            int bytes = 90 + random.nextInt(1410);
            if (random.nextBoolean()) {
                b.received(source, bytes);
                received[who] += bytes;
            } else if (b.trySend(source, bytes)) {
                sent[who] += bytes;
            }
            assertTrue(sent[who] <= 3 * received[who], "address " + who + " after " + i + " steps");
        }
    }

    @Test
    void aFloodOfAddressesIsBoundedAndOnlyEverSendsLess() {
        AmplificationBudget b = new AmplificationBudget(100);
        b.received(NODE, 1000);
        for (int i = 0; i < 10_000; i++) {
            b.received(Outer.address(0x0A00_0000 + i, 1), 90);
            assertTrue(b.sources() <= 100);
        }
        assertFalse(b.trySend(NODE, 1000), "forgotten in the flood: it starts from nothing, never from more");
    }
}
