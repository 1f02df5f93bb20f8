package org.m13.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.telemetry.StageRecord;
import org.m13.telemetry.TelemetryWriter;
import picocli.CommandLine;

class MonitorCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<Long> sleeps = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private int run(Runnable betweenFrames, String... args) {
        MonitorCommand command = new MonitorCommand();
        command.sleeper = millis -> {
            sleeps.add(millis);
            nanos.addAndGet(millis * 1_000_000);
            betweenFrames.run();
        };
        command.nanoClock = nanos::get;
        command.wallClock = () -> nanos.get() / 1_000_000;
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void saysWhenTheFileIsMissing() {
        Path file = dir.resolve("none");
        assertEquals(1, run(() -> { }, "--file", file.toString(), "--count", "1", "--no-clear"));
        assertTrue(out.toString().startsWith("m13 monitor: no telemetry file at " + file), out.toString());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void redrawsEachIntervalWithRatesFromTheInjectedClock() {
        Path file = dir.resolve("t");
        // the writer beats with the same virtual clock the monitor reads
        try (TelemetryWriter w = TelemetryWriter.create(file, 2, nanos::get, 0)) {
            StageRecord s = w.stage("seal");
            s.event(1);
            int code = run(() -> {
                for (int i = 0; i < 500; i++) {
                    s.event(1);
                }
                w.heartbeat();
            }, "--file", file.toString(), "--count", "3", "--interval-ms", "500", "--no-clear");
            assertEquals(0, code, out.toString());
        }
        assertEquals(List.of(500L, 500L), sleeps, "sleeps between frames only");
        List<String> rows = out.toString().lines().filter(l -> l.startsWith("seal ")).toList();
        assertEquals(3, rows.size(), out.toString());
        assertEquals("-", rows.get(0).trim().split("\\s+", -1)[2], "no rate on the first frame");
        assertEquals("1000", rows.get(1).trim().split("\\s+", -1)[2], "500 events in 0.5 s");
        assertEquals("1001", rows.get(2).trim().split("\\s+", -1)[1]);
    }

    @Test
    void exitsOneWhenTheWritersHeartbeatIsStale() {
        Path file = dir.resolve("t");
        try (TelemetryWriter w = TelemetryWriter.create(file, 1, () -> 0, 0)) {
            // the monitor's clock is at 1 s; the heartbeat at 0 is 1 s old: alive
            assertEquals(0, run(() -> { }, "--file", file.toString(), "--count", "1", "--no-clear"));
            nanos.set(10_000_000_000L);
            assertEquals(1, run(() -> { }, "--file", file.toString(), "--count", "1", "--no-clear"));
            assertTrue(out.toString().contains("WRITER STALE"), out.toString());
            assertTrue(w.capacity() == 1);
        }
    }

    @Test
    void isASubcommandOfM13() {
        CommandLine cli = M13Cli.commandLine();
        assertTrue(cli.getSubcommands().containsKey("monitor"));
    }
}
