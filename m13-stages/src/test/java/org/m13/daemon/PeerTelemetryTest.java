package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.stage.FrameEvent;
import org.m13.telemetry.DropReason;
import org.m13.telemetry.PeerCounter;
import org.m13.telemetry.RecordSnapshot;
import org.m13.telemetry.TelemetryReader;
import org.m13.telemetry.TelemetryWriter;

class PeerTelemetryTest {
    @TempDir
    Path dir;

    private static long value(TelemetryReader reader, String name, PeerCounter counter) {
        return reader.snapshot().records().stream().filter(r -> r.name().equals(name)).mapToLong(r -> r.get(counter))
                .sum();
    }

    private static long drops(TelemetryReader reader, String name, DropReason reason) {
        return reader.snapshot().records().stream().filter(r -> r.name().equals(name))
                .mapToLong((RecordSnapshot r) -> r.drops(reason)).sum();
    }

    @Test
    void framesDropsAndRetransmitsCountPerNamedPeerAndANameKeepsItsRecords() {
        Path file = dir.resolve("t");
        try (TelemetryWriter writer = TelemetryWriter.create(file, 32); TelemetryReader reader = TelemetryReader.open(file)) {
            PeerTelemetry t = new PeerTelemetry(writer, 4);
            FrameEvent e = new FrameEvent().received(0, 42, 262, 0).peer(2);
            t.rxObserver().onRelease(e); // peer 2 has no name yet: not counted
            t.handshakeRetransmit(2);
            t.handshakeRetransmit(2); // before the handshake named it: kept
            t.bind(2, "site-a");
            t.rxObserver().onRelease(e);
            t.rxObserver().onRelease(new FrameEvent().received(0, 42, 262, 0).peer(2).drop(DropReason.REPLAY_DUPLICATE));
            t.txObserver().onRelease(new FrameEvent().received(0, 42, 1000, 0).peer(2));
            t.txObserver().onRelease(new FrameEvent().received(0, 42, 1000, 0).peer(2).drop(DropReason.LINK_FULL));
            t.handshakeRetransmit(2);
            assertEquals(1, value(reader, "site-a/rx", PeerCounter.RX_PACKETS));
            assertEquals(262, value(reader, "site-a/rx", PeerCounter.RX_BYTES));
            assertEquals(1, value(reader, "site-a/rx", PeerCounter.REPLAY_DROPS));
            assertEquals(1, drops(reader, "site-a/rx", DropReason.REPLAY_DUPLICATE));
            assertEquals(1, value(reader, "site-a/tx", PeerCounter.TX_PACKETS), "a frame the link refused was not sent");
            assertEquals(3, value(reader, "site-a/hs", PeerCounter.HANDSHAKE_RETRANSMITS));
            t.feedbackObserver().onReport(2, 5, 20_000, 1_500_000);
            t.feedbackObserver().onReport(2, 2, 10_000, 1_000_000);
            assertEquals(7, value(reader, "site-a/fb", PeerCounter.LOST_PACKETS), "lost frames add up");
            assertEquals(10_000, value(reader, "site-a/fb", PeerCounter.LOSS_PPM), "the latest loss");
            assertEquals(1_000_000, value(reader, "site-a/fb", PeerCounter.JITTER_NANOS), "the latest jitter");
            t.unbind(2);
            t.feedbackObserver().onReport(2, 9, 0, 0); // unbound: not counted
            t.rxObserver().onRelease(e);
            t.bind(3, "site-a"); // the node came back in another slot: same records, counts go on
            t.rxObserver().onRelease(new FrameEvent().received(0, 42, 100, 0).peer(3));
            assertEquals(2, value(reader, "site-a/rx", PeerCounter.RX_PACKETS));
            assertEquals(7, value(reader, "site-a/fb", PeerCounter.LOST_PACKETS));
            assertEquals(4, reader.snapshot().records().size(), "no second set of records for the same name");
        }
    }
}
