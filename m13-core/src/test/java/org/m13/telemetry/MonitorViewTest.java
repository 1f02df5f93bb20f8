package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitorViewTest {
    private static final Path FILE = Path.of("/dev/shm/fake");

    private static TelemetrySnapshot snapshot(long takenNanos, long events, long bytes, long rx, long authDrops) {
        return new TelemetrySnapshot(77, 1_000_000, takenNanos - 400_000_000, TelemetryLayout.STATE_RUNNING,
                takenNanos, List.of(Fakes.stage(0, "rx/decrypt", events, bytes, Fakes.drops(DropReason.AUTH_FAILED,
                        authDrops)), Fakes.peer(1, "node-1", rx, rx * 1000, 25_000_000, new long[0])));
    }

    private static String row(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(
                "no row " + name + " in\n" + text));
    }

    @Test
    void ratesComeFromTheDifferenceOverTheSnapshotInterval() {
        TelemetrySnapshot a = snapshot(10_000_000_000L, 1_000, 1_000_000, 100, 0);
        // two seconds later: +20 000 events, +30 MB, +4 000 peer frames, +6 auth drops
        TelemetrySnapshot b = snapshot(12_000_000_000L, 21_000, 31_000_000, 4_100, 6);
        String text = MonitorView.render(FILE, a, b, WriterStatus.ALIVE, 1_000_000 + 3_723_000);
        assertTrue(text.startsWith("m13 monitor  /dev/shm/fake  pid 77  up 1:02:03  heartbeat 0.4 s ago\n"), text);
        assertTrue(text.contains("\nwriter alive\n"), text);
        List<String> stage = List.of(row(text, "rx/decrypt").trim().split("\\s+", -1));
        // name events ev/s MB/s batches maxbatch maxq maxduty_us drops drop/s
        assertEquals(List.of("rx/decrypt", "21000", "10000", "15.00", "2100", "32", "700", "12.5", "6", "3"), stage);
        List<String> peer = List.of(row(text, "node-1").trim().split("\\s+", -1));
        // name rx/s tx/s rx_MB/s tx_MB/s drops replay auth hs_retx lost loss% rtt_ms jitter_ms
        assertEquals(List.of("node-1", "2000", "1000", "2.00", "1.00", "0", "0", "0", "2", "9", "1.250", "25.00",
                "0.75"), peer);
        assertTrue(text.contains("drops by reason:\n  rx/decrypt auth_failed=6\n"), text);
    }

    @Test
    void firstFrameAndAnotherWritersSnapshotShowNoRates() {
        TelemetrySnapshot b = snapshot(12_000_000_000L, 21_000, 31_000_000, 4_100, 0);
        String first = MonitorView.render(FILE, null, b, WriterStatus.ALIVE, 1_000_000);
        assertEquals("-", row(first, "rx/decrypt").trim().split("\\s+", -1)[2]);
        TelemetrySnapshot restarted = new TelemetrySnapshot(78, 2_000_000, 0, TelemetryLayout.STATE_RUNNING,
                13_000_000_000L, b.records());
        String other = MonitorView.render(FILE, b, restarted, WriterStatus.ALIVE, 2_000_000);
        assertEquals("-", row(other, "rx/decrypt").trim().split("\\s+", -1)[2], "a new writer: no deltas");
        assertTrue(first.contains("drops by reason: none"), first);
    }

    @Test
    void saysClearlyWhenTheWriterIsDeadOrStaleOrTheFileMissing() {
        TelemetrySnapshot s = snapshot(12_000_000_000L, 1, 1, 1, 0);
        String dead = MonitorView.render(FILE, null, s, WriterStatus.DEAD, 1_000_000);
        assertTrue(dead.contains("WRITER DEAD: writer process is gone"), dead);
        assertFalse(dead.contains("writer alive"), dead);
        String stale = MonitorView.render(FILE, null, s, WriterStatus.STALE, 1_000_000);
        assertTrue(stale.contains("WRITER STALE: writer's heartbeat is stale"), stale);
        String missing = MonitorView.missing(FILE);
        assertTrue(missing.startsWith("m13 monitor: no telemetry file at /dev/shm/fake\n"), missing);
        assertTrue(missing.contains("no daemon is running"), missing);
    }
}
