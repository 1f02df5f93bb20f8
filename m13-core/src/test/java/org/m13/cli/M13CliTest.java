package org.m13.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.identity.PublicIdentity;
import picocli.CommandLine;

class M13CliTest {
    @TempDir
    Path dir;

    @Test
    void keygenWritesAPrivateFileAndPrintsThePublicKeyThatPubkeyReproduces() throws IOException {
        Path key = dir.resolve("node.key");
        CliRun keygen = CliRun.of("keygen", key.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        String printed = keygen.out().strip();
        assertEquals(PublicIdentity.BASE64_CHARS, printed.length());
        PublicIdentity parsed = PublicIdentity.fromBase64(printed);
        assertTrue(keygen.err().contains("key id " + parsed.keyId().hex()), keygen.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

        CliRun pubkey = CliRun.of("pubkey", key.toString());
        assertEquals(0, pubkey.exit(), pubkey.err());
        assertEquals(printed, pubkey.out().strip());
        assertEquals("", pubkey.err());
    }

    @Test
    void keygenRefusesToOverwriteAndNamesTheFile() throws IOException {
        Path key = dir.resolve("hub.key");
        Files.writeString(key, "precious");
        CliRun again = CliRun.of("keygen", key.toString());
        assertEquals(M13Cli.EXIT_KEY_FILE, again.exit());
        assertEquals("", again.out());
        assertTrue(again.err().startsWith("m13: private key file " + key), again.err());
        assertEquals("precious", Files.readString(key));
    }

    @Test
    void pubkeyReportsMissingAndWorldReadableFilesByName() throws IOException {
        Path missing = dir.resolve("absent.key");
        CliRun none = CliRun.of("pubkey", missing.toString());
        assertEquals(M13Cli.EXIT_KEY_FILE, none.exit());
        assertTrue(none.err().contains(missing.toString()), none.err());

        Path key = dir.resolve("open.key");
        assertEquals(0, CliRun.of("keygen", key.toString()).exit());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun open = CliRun.of("pubkey", key.toString());
        assertEquals(M13Cli.EXIT_KEY_FILE, open.exit());
        assertTrue(open.err().contains(key.toString()), open.err());
        assertEquals("", open.out());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(CommandLine.ExitCode.USAGE, CliRun.of().exit());
        assertEquals(CommandLine.ExitCode.USAGE, CliRun.of("keygen").exit());
        assertEquals(CommandLine.ExitCode.USAGE, CliRun.of("frobnicate").exit());
    }
}
