package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;

/**
 * tun-order on its own: packets carry their FEC position; the writer records the
 * order they reach TUN in (each packet's id is its first byte).
 */
class TunReorderTest {
    private static final long MS = 1_000_000L;
    private static final long BOUND = 20 * MS;

    private final List<Integer> written = new ArrayList<>();
    private final TunReorder order = new TunReorder(4, (peer, buffer, at, address, length) -> {
        written.add(buffer.get(at) & 0xFF);
        return DropReason.NONE;
    }, BOUND, 0, peer -> 0);
    private final ByteBuffer packet = ByteBuffer.allocateDirect(64);

    /** Source {@code index} of {@code generation} (m repairs planned), id {@code id}. */
    private void source(int generation, int index, int m, int id, long now) {
        packet.put(0, (byte) id);
        assertEquals(DropReason.NONE, order.source(1, generation, index, m, packet, 0, 0, 20, now));
    }

    @Test
    void packetsInOrderPassAtOnceAcrossGenerationsWithoutRepairs() {
        // m = 0 and closed early (3 of 16 planned): the next generation must not wait for the rest.
        source(7, 0, 0, 1, 0);
        source(7, 1, 0, 2, 0);
        source(7, 2, 0, 3, 0);
        source(8, 0, 0, 4, MS);
        source(8, 1, 0, 5, MS);
        assertEquals(List.of(1, 2, 3, 4, 5), written);
        assertEquals(5, order.passed());
        assertEquals(0, order.reordered());
        assertEquals(Long.MAX_VALUE, order.nextDeadline());
    }

    @Test
    void aRebuiltPacketTakesItsPlaceBeforeTheOnesSentAfterIt() {
        source(3, 0, 2, 10, 0);
        source(3, 2, 2, 12, 0); // 1 lost: 12 and 13 wait
        source(3, 3, 2, 13, 0);
        assertEquals(List.of(10), written);
        assertEquals(2, order.held());
        order.closed(1, 3, 4, MS); // a repair: the generation had 4 sources
        source(3, 1, -1, 11, MS); // FEC rebuilt it
        assertEquals(List.of(10, 11, 12, 13), written);
        source(4, 0, 2, 20, 2 * MS); // the next generation flows at once: 4..31 of generation 3 were skipped
        assertEquals(List.of(10, 11, 12, 13, 20), written);
        assertEquals(0, order.held());
        assertEquals(2, order.reordered());
        assertEquals(0, order.givenUp());
    }

    @Test
    void noPacketIsHeldPastItsBoundAndALateOneStillGetsThrough() {
        source(5, 0, 1, 1, 0);
        source(5, 2, 1, 3, 2 * MS); // 1 never comes back in time
        assertEquals(2 * MS + BOUND, order.nextDeadline());
        order.poll(2 * MS + BOUND - 1);
        assertEquals(List.of(1), written);
        order.poll(2 * MS + BOUND);
        assertEquals(List.of(1, 3), written);
        assertEquals(1, order.givenUp());
        source(5, 1, 1, 2, 30 * MS); // too late: written at once, out of order, not lost
        assertEquals(List.of(1, 3, 2), written);
        assertEquals(1, order.late());
    }

    @Test
    void theTimerIsAskedForOncePerHoldNotPerPacket() {
        source(5, 0, 1, 1, 0);
        assertEquals(-1, order.takeWakeRequest(), "nothing held: no tick");
        source(5, 2, 1, 3, 2 * MS); // the first held packet: its bound is the tick
        assertEquals(2 * MS + BOUND, order.takeWakeRequest());
        source(5, 3, 1, 4, 3 * MS); // behind the same gap, due later: no new request
        assertEquals(-1, order.takeWakeRequest());
        order.poll(2 * MS + BOUND); // the tick: 3 and 4 go, nothing left
        assertEquals(List.of(1, 3, 4), written);
        assertEquals(Long.MAX_VALUE, order.takeWakeRequest(), "the tick re-chose: none");
    }

    @Test
    void aGenerationWithRepairsWaitsForThemAtItsEndOnly() {
        source(9, 0, 1, 1, 0);
        source(9, 1, 1, 2, 0); // closed early after 2 sources; its repair is on the way
        source(10, 0, 1, 3, MS); // waits: 9 may have had a third source (lost)
        assertEquals(List.of(1, 2), written);
        order.closed(1, 9, 2, MS); // the repair says 2: nothing was lost
        assertEquals(List.of(1, 2, 3), written);
        assertEquals(0, order.givenUp());
    }

    @Test
    void aRestartedSenderStartsAfreshInsteadOfBeingLateForever() {
        source(40_000, 0, 0, 1, 0);
        source(40_001, 0, 0, 2, 0);
        source(0, 0, 0, 3, MS); // generation 0 again: the peer's sender restarted
        source(0, 1, 0, 4, MS);
        assertEquals(List.of(1, 2, 3, 4), written);
        assertEquals(1, order.restarts());
        assertEquals(0, order.late());
    }

    @Test
    void generationNumbersWrapAt16Bits() {
        source(0xFFFF, 0, 0, 1, 0);
        source(0, 0, 0, 2, 0);
        source(1, 1, 1, 4, 0); // 1/0 lost
        source(1, 0, -1, 3, 0);
        assertEquals(List.of(1, 2, 3, 4), written);
        assertEquals(0, order.restarts());
    }
}
