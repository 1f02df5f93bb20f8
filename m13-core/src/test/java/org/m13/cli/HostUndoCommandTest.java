package org.m13.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostUndoCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutAJournalThereIsNothingToUndo() {
        CliRun run = CliRun.of("host-undo", "hub", "--journal-dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals("m13: nothing to undo: no " + dir.resolve("hub.journal") + "\n", run.err());
    }

    @Test
    void aCrashedDaemonsJournalIsUndoneAndRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        Path journal = journal("node", gone.pid(), -1,
                // harmless anywhere: no such device, so the undo finds it already gone
                "{\"step\":1,\"description\":\"m13t-none0 up\",\"undo\":[[\"ip\",\"link\",\"set\",\"dev\","
                        + "\"m13t-none0\",\"down\"]]}\n"
                        + "{\"step\":2,\"description\":\"not a set-up tool\",\"undo\":[[\"touch\",\""
                        + dir.resolve("touched") + "\"]]}\n");
        CliRun run = CliRun.of("host-undo", "node", "--journal-dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("undid the node host set-up recorded in " + journal + " (2 steps)"), run.err());
        assertFalse(Files.exists(journal));
        assertFalse(Files.exists(dir.resolve("touched")), "a journal may only run ip, iptables, ip6tables and tc");
    }

    @Test
    void theJournalOfARunningDaemonIsLeftAlone() throws Exception {
        Process daemon = new ProcessBuilder("sleep", "60").start();
        try {
            long start = daemon.toHandle().info().startInstant().orElseThrow().toEpochMilli();
            Path journal = journal("hub", daemon.pid(), start, "");
            CliRun run = CliRun.of("host-undo", "hub", "--journal-dir", dir.toString());
            assertEquals(1, run.exit());
            assertTrue(run.err().contains("belongs to process " + daemon.pid() + ", which is running"), run.err());
            assertTrue(Files.exists(journal));
        } finally {
            daemon.destroyForcibly();
            boolean unused = daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRoleThatIsNoJournalNameIsAUsageError() {
        CliRun run = CliRun.of("host-undo", "../hub", "--journal-dir", dir.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("not a journal name"), run.err());
    }

    private Path journal(String name, long pid, long start, String steps) throws IOException {
        Path journal = dir.resolve(name + ".journal");
        Files.writeString(journal, "{\"journal\":\"m13-host\",\"name\":\"" + name + "\",\"pid\":" + pid + ",\"start\":"
                + start + "}\n" + steps, StandardCharsets.UTF_8);
        return journal;
    }
}
