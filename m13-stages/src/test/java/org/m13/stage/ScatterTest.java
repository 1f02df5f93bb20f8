package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.m13.stage.TestFrames.NODE_MAC;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;
import org.m13.wire.Wire;

class ScatterTest {
    private final SlotPool pool = new SlotPool(1, 2048);
    private final int slot = pool.alloc();

    /** Records the last frame it took; refuses with {@code refusal} when set. */
    private static final class Recorder implements Sink {
        final String name;
        DropReason refusal = DropReason.NONE;
        int calls;
        int bodyIndex;
        int bodyLength;
        FrameEvent event;

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public DropReason deliver(FrameEvent e, ByteBuffer buffer, int index, int length) {
            calls++;
            event = e;
            bodyIndex = index;
            bodyLength = length;
            return refusal;
        }
    }

    private final Recorder tun = new Recorder("tun");
    private final Recorder control = new Recorder("control");
    private final Recorder handshake = new Recorder("handshake");
    private final Recorder fec = new Recorder("fec");
    private final Recorder feedback = new Recorder("feedback");
    private final Scatter scatter = new Scatter(pool, tun, control, handshake, fec, feedback);

    private FrameEvent classified(int offset, int bodyLength, Disposition d) {
        int length = TestFrames.cleartext(pool, slot, offset, NODE_MAC, 0, 0, bodyLength);
        return new FrameEvent().received(slot, offset, length, 0).peer(0).disposition(d);
    }

    @Test
    void routesEveryDispositionToItsDestination() {
        Map<Disposition, Recorder> route = new EnumMap<>(Disposition.class);
        route.put(Disposition.TUNNEL, tun);
        route.put(Disposition.FIN, control);
        route.put(Disposition.CONTROL, control);
        route.put(Disposition.REGISTRATION, control);
        route.put(Disposition.FRAGMENT, handshake);
        route.put(Disposition.HANDSHAKE, handshake);
        route.put(Disposition.FEC, fec);
        route.put(Disposition.FEEDBACK, feedback);
        for (Map.Entry<Disposition, Recorder> r : route.entrySet()) {
            Recorder sink = r.getValue();
            int before = sink.calls;
            FrameEvent e = classified(Wire.UDP_HUB_FRAME_OFFSET, 100, r.getKey());
            scatter.onEvent(e);
            assertEquals(DropReason.NONE, e.drop(), r.getKey().name());
            assertEquals(before + 1, sink.calls, r.getKey() + " -> " + sink.name);
            assertSame(e, sink.event);
            assertEquals(pool.base(slot) + Wire.UDP_HUB_FRAME_OFFSET + Wire.MIN_FRAME_BYTES, sink.bodyIndex);
            assertEquals(100, sink.bodyLength);
            assertEquals(1, scatter.delivered(r.getKey()));
        }
        assertEquals(1, tun.calls);
        assertEquals(3, control.calls);
        assertEquals(2, handshake.calls);
        assertEquals(1, fec.calls);
        assertEquals(1, feedback.calls);
        assertEquals(8, scatter.events());
    }

    @Test
    void aRefusalIsCountedUnderTheSinksReason() {
        tun.refusal = DropReason.DESTINATION_FULL;
        FrameEvent e = classified(0, 10, Disposition.TUNNEL);
        scatter.onEvent(e);
        assertEquals(DropReason.DESTINATION_FULL, e.drop());
        assertEquals(1, scatter.drops(DropReason.DESTINATION_FULL));
        assertEquals(0, scatter.delivered(Disposition.TUNNEL));
    }

    @Test
    void unclassifiedOrUnwiredFramesHaveNoDestination() {
        FrameEvent pending = classified(0, 0, Disposition.PENDING);
        scatter.onEvent(pending);
        assertEquals(DropReason.NO_DESTINATION, pending.drop());

        Scatter partial = new Scatter(pool, tun, control, handshake, Sink.UNWIRED, Sink.UNWIRED);
        FrameEvent repair = classified(0, 0, Disposition.FEC);
        partial.onEvent(repair);
        assertEquals(DropReason.NO_DESTINATION, repair.drop());
        assertEquals(0, fec.calls);
        assertEquals(1, partial.drops(DropReason.NO_DESTINATION));
        assertThrows(NullPointerException.class, () -> new Scatter(pool, null, control, handshake, fec, feedback));
    }

    @Test
    void droppedFramesReachNoSink() {
        FrameEvent e = classified(0, 0, Disposition.TUNNEL).drop(DropReason.AUTH_FAILED);
        scatter.onEvent(e);
        assertEquals(0, tun.calls);
        assertEquals(0, scatter.events());
        assertEquals(DropReason.AUTH_FAILED, e.drop());
    }
}
