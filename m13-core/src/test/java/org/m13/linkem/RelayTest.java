package org.m13.linkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.m13.sys.Native;

/** The relay loop over fake ports and a virtual clock: no sockets, no threads. */
@Timeout(30)
class RelayTest {
    private static final long MS = 1_000_000L;

    /** A frame offered on a side at a virtual time; its first 4 bytes carry an id. */
    private record Arrival(long at, int side, int id, int bytes) {
    }

    /** What left on a side, when. */
    private record Departure(long at, int side, int id, int bytes) {
    }

    private static final class FakePorts implements Relay.Ports, Relay.Clock {
        final List<Deque<Arrival>> pending = List.of(new ArrayDeque<>(), new ArrayDeque<>());
        final List<Departure> sent = new ArrayList<>();
        Relay relay;
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        private ByteBuffer view(int direction, long address) {
            ByteBuffer memory = relay.memory(direction).buffer();
            return memory.duplicate().position((int) (address - relay.memory(direction).address()));
        }

        @Override
        public int receive(int side, long address, int length) {
            Arrival next = pending.get(side).peek();
            if (next == null || next.at() > now) {
                return 0;
            }
            pending.get(side).remove();
            if (length >= 4) {
                view(side, address).putInt(next.id());
            }
            return next.bytes();
        }

        @Override
        public int send(int side, long address, int length) {
            sent.add(new Departure(now, side, view(1 - side, address).getInt(), length));
            return length;
        }

        @Override
        public int await(long timeoutNanos) {
            long wake = now + timeoutNanos;
            for (Deque<Arrival> queue : pending) {
                if (!queue.isEmpty()) {
                    wake = Math.min(wake, Math.max(now, queue.peek().at()));
                }
            }
            now = wake;
            return 0;
        }

        void runUntil(long end) {
            while (now < end) {
                var unused = relay.step();
            }
        }
    }

    private FakePorts ports;

    @BeforeEach
    void needsOffHeap() {
        assumeTrue(Native.isAvailable(), () -> "native library unavailable: " + Native.unavailabilityCause());
        ports = new FakePorts();
    }

    private Relay relay(LinkParams aToB, LinkParams bToA, int slots) {
        Relay relay = new Relay(ports, ports, aToB, bToA, 11, false, 1514, slots);
        ports.relay = relay;
        return relay;
    }

    @Test
    void framesLeaveOnTheOtherSideAtTheirDepartureTime() {
        Relay relay = relay(LinkParams.CLEAN.withDelay(40 * MS, 0), LinkParams.CLEAN.withDelay(10 * MS, 0), 64);
        for (int i = 0; i < 20; i++) {
            ports.pending.get(Relay.A).add(new Arrival(i * 3L * MS, Relay.A, i, 100 + i));
            ports.pending.get(Relay.B).add(new Arrival(i * 5L * MS, Relay.B, 1000 + i, 200));
        }
        ports.runUntil(300 * MS);
        assertEquals(40, ports.sent.size());
        int a = 0;
        int b = 0;
        for (Departure d : ports.sent) {
            if (d.side() == Relay.B) {
                assertEquals(a, d.id());
                assertEquals(a * 3L * MS + 40 * MS, d.at());
                assertEquals(100 + a, d.bytes());
                a++;
            } else {
                assertEquals(1000 + b, d.id());
                assertEquals(b * 5L * MS + 10 * MS, d.at());
                b++;
            }
        }
        assertEquals(20, relay.direction(Relay.A).counters().get(Counter.FORWARDED));
        assertEquals(20, relay.direction(Relay.B).counters().get(Counter.RECEIVED));
        assertEquals(0, relay.queued(Relay.A) + relay.queued(Relay.B));
    }

    @Test
    void aFullSlotPoolAndOversizeFramesAreDroppedAndCounted() {
        Relay relay = relay(LinkParams.CLEAN.withDelay(100 * MS, 0), LinkParams.CLEAN, 8);
        for (int i = 0; i < 12; i++) {
            ports.pending.get(Relay.A).add(new Arrival(MS, Relay.A, i, i == 3 ? 5000 : 300));
        }
        ports.runUntil(50 * MS);
        assertEquals(8, relay.queued(Relay.A));
        ports.runUntil(200 * MS);
        Counters c = relay.direction(Relay.A).counters();
        assertEquals(12, c.get(Counter.RECEIVED));
        assertEquals(1, c.get(Counter.OVERSIZE));
        assertEquals(3, c.get(Counter.NO_SLOT));
        assertEquals(8, c.get(Counter.FORWARDED));
        assertEquals(List.of(0, 1, 2, 4, 5, 6, 7, 8), ports.sent.stream().map(Departure::id).toList());
        assertTrue(ports.sent.stream().allMatch(d -> d.at() == 101 * MS));
    }
}
