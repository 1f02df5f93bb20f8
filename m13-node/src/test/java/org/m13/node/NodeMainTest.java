package org.m13.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NodeMainTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new NodeMain()).execute(args);
            return code + " " + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aBadConfigIsOneClearErrorNamingFileAndKey() throws Exception {
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, "identity: node.key\nhub:\n  address: 203.0.113.1\n  colour: blue\n");
        String out = run("--config", config.toString(), "--state-dir", dir.toString());
        assertTrue(out.startsWith("2 m13 node: "), out);
        assertTrue(out.contains(config.toString()) && out.contains("colour"), out);
        assertEquals(1, out.strip().lines().count(), "one line, no stack trace: " + out);
    }

    @Test
    void aMissingConfigFileIsNamed() {
        String out = run("--config", dir.resolve("absent.yaml").toString());
        assertTrue(out.startsWith("2 m13 node: ") && out.contains("absent.yaml"), out);
    }

    @Test
    void theNodesMacIsALocallyAdministeredUnicastAddress() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 1000; i++) {
            long mac = org.m13.daemon.Daemons.localMac(random);
            assertEquals(0, mac >>> 48, "48 bits");
            assertEquals(0x02, (mac >>> 40) & 0x03, "locally administered (bit 1), unicast (bit 0 clear)");
        }
    }
}
