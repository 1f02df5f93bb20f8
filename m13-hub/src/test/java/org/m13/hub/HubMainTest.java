package org.m13.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HubMainTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new HubMain()).execute(args);
            return code + " " + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aHubWithoutAllowListIsRefusedNamingFileAndKey() throws Exception {
        Path config = dir.resolve("hub.yaml");
        Files.writeString(config, "identity: hub.key\nlisten:\n  interface: eth0\n");
        String out = run("--config", config.toString(), "--state-dir", dir.toString());
        assertTrue(out.startsWith("2 m13 hub: "), out);
        assertTrue(out.contains(config.toString()) && out.contains("nodes"), out);
        assertEquals(1, out.strip().lines().count(), "one line, no stack trace: " + out);
    }

    @Test
    void aBadPortIsNamed() throws Exception {
        Path config = dir.resolve("hub.yaml");
        Files.writeString(config, "identity: hub.key\nlisten:\n  interface: eth0\n  port: 70000\n");
        String out = run("--config", config.toString(), "--state-dir", dir.toString());
        assertTrue(out.startsWith("2 m13 hub: ") && out.contains("listen.port"), out);
    }
}
