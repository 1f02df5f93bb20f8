package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second JVM maps the file read-only and sees what this one wrote, and that this writer lives. */
class CrossProcessTest {
    @TempDir
    Path dir;

    @Test
    void anotherProcessReadsTheCounters() throws IOException, InterruptedException {
        Path file = dir.resolve("telemetry");
        try (TelemetryWriter w = TelemetryWriter.create(file, 4)) {
            StageRecord s = w.stage("tx/seal");
            PeerRecord p = w.peer("hub");
            for (int i = 0; i < 12_345; i++) {
                s.event(1000);
            }
            s.drop(DropReason.NO_SEND_KEY.id());
            p.received(64);
            p.feedback(3, 10, 20_000_000, 5);
            w.heartbeat();

            String out = runChild(file);
            assertEquals(String.join("\n",
                    "status ALIVE pid " + ProcessHandle.current().pid(),
                    "STAGE tx/seal events=12345 bytes=12345000 drops=1 no_send_key=1",
                    "PEER hub rx=1 rxBytes=64 lost=3 rtt=20000000"), out.strip());
        }
    }

    private static String runChild(Path file) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")
                    || arg.startsWith("--enable-native-access") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Dchronicle.analytics.disable=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildReader.class.getName());
        cmd.add(file.toString());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] stdout = child.getInputStream().readAllBytes();
        byte[] stderr = child.getErrorStream().readAllBytes();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child finished");
        assertEquals(0, child.exitValue(), "child failed: " + new String(stderr, StandardCharsets.UTF_8));
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** The second process: prints what it reads. */
    public static final class ChildReader {
        private ChildReader() {
        }

        public static void main(String[] args) {
            try (TelemetryReader r = TelemetryReader.open(Path.of(args[0]))) {
                TelemetrySnapshot s = r.snapshot();
                System.out.println("status " + s.writerStatus() + " pid " + s.pid());
                for (RecordSnapshot rec : s.records(RecordKind.STAGE)) {
                    System.out.println("STAGE " + rec.name() + " events=" + rec.get(StageCounter.EVENTS)
                            + " bytes=" + rec.get(StageCounter.BYTES) + " drops=" + rec.get(StageCounter.DROPS)
                            + " no_send_key=" + rec.drops(DropReason.NO_SEND_KEY));
                }
                for (RecordSnapshot rec : s.records(RecordKind.PEER)) {
                    System.out.println("PEER " + rec.name() + " rx=" + rec.get(PeerCounter.RX_PACKETS)
                            + " rxBytes=" + rec.get(PeerCounter.RX_BYTES) + " lost="
                            + rec.get(PeerCounter.LOST_PACKETS) + " rtt=" + rec.get(PeerCounter.RTT_NANOS));
                }
            }
        }
    }
}
