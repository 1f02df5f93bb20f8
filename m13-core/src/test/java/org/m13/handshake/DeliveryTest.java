package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** FlightSender, FlightReceiver and RttEstimator, event by event. */
class DeliveryTest {
    private static final long MS = 1_000_000L;

    private static RttEstimator rtt() {
        return new RttEstimator(600 * MS, 100 * MS, 8_000 * MS);
    }

    private static byte[] message(int n) {
        byte[] m = new byte[n];
        new Random(n).nextBytes(m);
        return m;
    }

    @Test
    void rtoStartsAtOneAndAHalfConfiguredRttAndFollowsSamples() {
        RttEstimator r = rtt();
        assertEquals(900 * MS, r.rtoNanos());
        for (int i = 0; i < 50; i++) {
            r.onSample(20 * MS);
        }
        assertTrue(r.srttNanos() < 25 * MS);
        assertEquals(100 * MS, r.rtoNanos()); // clamped at the minimum
        RttEstimator slow = new RttEstimator(600 * MS, 100 * MS, 1_000 * MS);
        slow.onSample(5_000 * MS);
        assertEquals(1_000 * MS, slow.rtoNanos()); // clamped at the maximum
    }

    @Test
    void senderSendsAllThenOnlyWhatTheAckSaysIsMissing() {
        FlightSender tx = new FlightSender(7, message(6261), 1402, false, rtt(), new Random(1));
        assertEquals(5, tx.fragmentCount());
        assertEquals(0b11111, tx.start(0));
        assertEquals(653, tx.fragment(4).length);
        // an ACK before half an RTT has passed does not resend (the fragment may be in flight)
        assertEquals(0, tx.onAck(0b10111, 100 * MS));
        assertEquals(0b01000, tx.onAck(0b10111, 400 * MS));
        // a second ACK for the same loss right after does not resend again
        assertEquals(0, tx.onAck(0b10111, 410 * MS));
        assertEquals(0, tx.onAck(0b11111, 800 * MS));
        assertTrue(tx.isComplete());
        assertEquals(0, tx.onTimer(10_000 * MS));
    }

    @Test
    void senderTimerResendsUnheldFragmentsWithBackoffAndJitter() {
        RttEstimator r = rtt();
        FlightSender tx = new FlightSender(1, message(2804), 1402, false, r, new Random(2));
        int unused = tx.start(0);
        long first = tx.timerNanos();
        assertTrue(first >= 900 * MS && first < 990 * MS, "jitter is 0-10 %: " + first);
        assertEquals(0, tx.onTimer(first - 1));
        assertEquals(0b11, tx.onTimer(first));
        long second = tx.timerNanos() - first;
        assertTrue(second >= 1_800 * MS && second < 1_980 * MS, "doubled: " + second);
        int unusedAck = tx.onAck(0b01, first + 1);
        assertEquals(0b10, tx.onTimer(tx.timerNanos()));
        // Karn: no RTT sample from a retransmitted flight
        assertEquals(0, tx.onResponse(5_000 * MS));
        assertEquals(600 * MS, r.srttNanos());
    }

    @Test
    void responseToAnUnretransmittedFlightGivesAnRttSample() {
        RttEstimator r = rtt();
        FlightSender tx = new FlightSender(1, message(2804), 1402, false, r, new Random(3));
        int unused = tx.start(1_000 * MS);
        assertEquals(640 * MS, tx.onResponse(1_640 * MS));
        assertEquals(605 * MS, r.srttNanos());
        assertTrue(tx.isComplete());
        assertEquals(0, tx.onResponse(1_700 * MS)); // only once
    }

    @Test
    void receiverReassemblesOutOfOrderAndIgnoresDuplicates() {
        byte[] m = message(4677);
        FlightSender tx = new FlightSender(3, m, 1402, false, rtt(), new Random(4));
        FlightReceiver rx = new FlightReceiver(4677, 1402, 10 * MS);
        int[] order = {3, 1, 1, 0};
        assertEquals(FlightReceiver.Fragment.STORED, rx.onFragment(3, order[0], 4, tx.fragment(order[0]), 0));
        assertEquals(FlightReceiver.Fragment.STORED, rx.onFragment(3, order[1], 4, tx.fragment(order[1]), 1));
        assertEquals(FlightReceiver.Fragment.DUPLICATE, rx.onFragment(3, order[2], 4, tx.fragment(order[2]), 2));
        assertEquals(FlightReceiver.Fragment.STORED, rx.onFragment(3, order[3], 4, tx.fragment(order[3]), 3));
        assertNull(rx.message());
        assertEquals(0b1011, rx.bitmap());
        assertEquals(FlightReceiver.Fragment.COMPLETED, rx.onFragment(3, 2, 4, tx.fragment(2), 4));
        assertArrayEquals(m, rx.message());
        assertEquals(FlightReceiver.Fragment.DUPLICATE, rx.onFragment(3, 2, 4, tx.fragment(2), 5));
    }

    @Test
    void receiverAcksOnceAfterTheBurstThenRepeatsWhileIncomplete() {
        byte[] m = message(6261);
        FlightSender tx = new FlightSender(2, m, 1402, false, rtt(), new Random(5));
        FlightReceiver rx = new FlightReceiver(6261, 1402, 10 * MS);
        assertEquals(FlightReceiver.Fragment.STORED, rx.onFragment(2, 0, 5, tx.fragment(0), 0));
        assertEquals(10 * MS, rx.ackAtNanos());
        FlightReceiver.Fragment unused = rx.onFragment(2, 2, 5, tx.fragment(2), 1 * MS);
        assertEquals(10 * MS, rx.ackAtNanos()); // not pushed back by the rest of the burst
        assertEquals(-1, rx.takeAck(9 * MS, 900 * MS));
        assertEquals(0b00101, rx.takeAck(10 * MS, 900 * MS));
        assertEquals(-1, rx.takeAck(11 * MS, 900 * MS));
        assertEquals(0b00101, rx.takeAck(910 * MS, 900 * MS)); // repeated: the ACK may be lost
        for (int i : new int[] {1, 3}) {
            FlightReceiver.Fragment ignored = rx.onFragment(2, i, 5, tx.fragment(i), 1_000 * MS);
        }
        assertEquals(FlightReceiver.Fragment.COMPLETED, rx.onFragment(2, 4, 5, tx.fragment(4), 1_001 * MS));
        assertEquals(Long.MAX_VALUE, rx.ackAtNanos());
        assertEquals(-1, rx.takeAck(5_000 * MS, 900 * MS));
    }

    @Test
    void receiverRefusesInconsistentFragmentsAndOlderMessages() {
        FlightSender tx = new FlightSender(5, message(2804), 1402, false, rtt(), new Random(6));
        FlightReceiver rx = new FlightReceiver(2804, 1402, 10 * MS);
        assertEquals(FlightReceiver.Fragment.INVALID, rx.onFragment(5, 3, 2, tx.fragment(0), 0));
        assertEquals(FlightReceiver.Fragment.INVALID, rx.onFragment(5, 0, 0, tx.fragment(0), 0));
        assertEquals(FlightReceiver.Fragment.STORED, rx.onFragment(5, 0, 2, tx.fragment(0), 0));
        assertEquals(FlightReceiver.Fragment.INVALID, rx.onFragment(5, 1, 3, tx.fragment(1), 0));
        assertEquals(FlightReceiver.Fragment.INVALID, rx.onFragment(5, 0, 2, new byte[10], 0));
        assertEquals(FlightReceiver.Fragment.INVALID, rx.onFragment(4, 1, 2, tx.fragment(1), 0));
        // a newer message id starts over
        assertEquals(FlightReceiver.Fragment.STORED, rx.onFragment(8, 1, 2, tx.fragment(1), 0));
        assertEquals(0b10, rx.bitmap());
        assertFalse(rx.isComplete());
    }

    @Test
    void parityRebuildsAnyOneLostDataFragment() {
        for (int size : new int[] {2804, 4677, 6261, 100}) {
            byte[] m = message(size);
            FlightSender tx = new FlightSender(1, m, 1402, true, rtt(), new Random(7));
            int data = tx.dataCount();
            assertEquals(data + 1, tx.fragmentCount());
            assertEquals(1402, tx.fragment(data).length);
            for (int lost = 0; lost < data; lost++) {
                FlightReceiver rx = new FlightReceiver(size, 1402, 10 * MS);
                FlightReceiver.Fragment last = null;
                for (int i = 0; i <= data; i++) {
                    if (i != lost) {
                        last = rx.onFragment(1, i, data, tx.fragment(i), 0);
                    }
                }
                assertEquals(FlightReceiver.Fragment.COMPLETED, last, "size " + size + " lost " + lost);
                assertArrayEquals(m, rx.message());
            }
        }
    }

    @Test
    void parityIsNeverResentAndDoesNotCountForCompletion() {
        FlightSender tx = new FlightSender(1, message(6261), 1402, true, rtt(), new Random(8));
        assertEquals(0b111111, tx.start(0));
        assertEquals(0b000100, tx.onAck(0b111011, 400 * MS)); // data 2 missing, parity held
        assertFalse(tx.isComplete());
        assertEquals(0b000100, tx.onTimer(tx.timerNanos())); // the timer resends data only
        assertEquals(0, tx.onAck(0b011111, 5_000 * MS)); // all data held, parity not: complete
        assertTrue(tx.isComplete());
    }
}
