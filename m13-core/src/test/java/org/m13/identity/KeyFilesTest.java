package org.m13.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    @TempDir
    Path dir;

    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static KeyFileException.Problem problemReading(Path file) {
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.readPrivate(file).close());
        assertTrue(e.getMessage().startsWith("private key file " + file + ": "), e.getMessage());
        assertEquals(file, e.file());
        return e.problem();
    }

    @Test
    void keygenWritesMode0600AndReadsBackTheSameKey() throws Exception {
        Path file = dir.resolve("node.key");
        try (Identity written = KeyFiles.generateAndWrite(file, new SecureRandom());
                Identity read = KeyFiles.readPrivate(file)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(KeyFiles.FILE_BYTES, Files.size(file));
            assertEquals(written.publicIdentity(), KeyFiles.derivePublic(read));
            assertEquals(PublicIdentity.BYTES, read.publicIdentity().encoded().length);
            String text = KeyFiles.encodeBase64(KeyFiles.derivePublic(read));
            assertEquals(PublicIdentity.BASE64_CHARS, text.length());
            assertEquals(written.publicIdentity(), PublicIdentity.fromBase64(text));
        }
    }

    @Test
    void keygenRefusesToOverwriteAndLeavesTheFileUntouched() throws Exception {
        Path file = dir.resolve("hub.key");
        KeyFiles.generateAndWrite(file, new SecureRandom()).close();
        byte[] before = Files.readAllBytes(file);
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyFiles.generateAndWrite(file, new SecureRandom()).close());
        assertEquals(KeyFileException.Problem.ALREADY_EXISTS, e.problem());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void keygenIntoMissingDirectoryNamesTheFile() {
        Path file = dir.resolve("no-such-dir").resolve("x.key");
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyFiles.generateAndWrite(file, new SecureRandom()).close());
        assertEquals(KeyFileException.Problem.WRITE_FAILED, e.problem());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void fileFormatIsBase64OfTheSeedAndANewline() throws Exception {
        Path file = dir.resolve("k");
        byte[] seed = new byte[Identity.SEED_BYTES];
        try (Identity id = KeyFiles.generateAndWrite(file, seeded(7))) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\n"));
            seed = Base64.getDecoder().decode(text.strip());
            try (Identity again = Identity.fromSeed(seed)) {
                assertEquals(id.publicIdentity(), again.publicIdentity());
            }
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    @Test
    void readAcceptsNoNewlineAndCrLf() throws Exception {
        Path file = dir.resolve("k");
        PublicIdentity expected;
        try (Identity id = KeyFiles.generateAndWrite(file, new SecureRandom())) {
            expected = id.publicIdentity();
        }
        String b64 = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
        for (String variant : new String[] {b64, b64 + "\r\n"}) {
            Path other = dir.resolve("v" + variant.length());
            Files.writeString(other, variant);
            Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
            try (Identity id = KeyFiles.readPrivate(other)) {
                assertEquals(expected, id.publicIdentity());
            }
        }
    }

    @Test
    void missingFileIsAClearError() {
        assertEquals(KeyFileException.Problem.MISSING, problemReading(dir.resolve("absent.key")));
    }

    @Test
    void directoryIsUnreadable() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("a-dir"));
        assertEquals(KeyFileException.Problem.UNREADABLE, problemReading(sub));
    }

    @Test
    void wronglySizedFilesAreRefused() throws IOException {
        Path file = dir.resolve("k");
        for (String content : new String[] {"", "QUJD\n", "A".repeat(44) + "\n\n", "A".repeat(4000)}) {
            Files.deleteIfExists(file);
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            assertEquals(KeyFileException.Problem.WRONG_SIZE, problemReading(file), content);
        }
    }

    @Test
    void nonBase64IsRefused() throws IOException {
        Path file = dir.resolve("k");
        Files.writeString(file, "!".repeat(44) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(KeyFileException.Problem.BAD_ENCODING, problemReading(file));
    }

    @Test
    void worldReadableOrWritableIsRefusedGroupReadIsAllowed() throws Exception {
        Path file = dir.resolve("k");
        KeyFiles.generateAndWrite(file, new SecureRandom()).close();
        for (String mode : new String[] {"rw-r--r--", "rw----r--", "rw-----w-", "rw-rw-rw-"}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            assertEquals(KeyFileException.Problem.WORLD_ACCESSIBLE, problemReading(file), mode);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        KeyFiles.readPrivate(file).close();
    }

    @Test
    void keyIdIsTheFirst16BytesOfSha512OfThePublicKey() throws Exception {
        try (Identity id = Identity.generate(seeded(3))) {
            byte[] pk = id.publicIdentity().encoded();
            byte[] sha = MessageDigest.getInstance("SHA-512").digest(pk);
            assertArrayEquals(Arrays.copyOf(sha, 16), id.keyId().bytes());
            assertEquals(32, id.keyId().hex().length());
            assertEquals(id.keyId(), KeyId.read(sha, 0));
        }
    }

    @Test
    void sameSeedSameKeyDifferentSeedDifferentKey() {
        byte[] seed = new byte[32];
        try (Identity a = Identity.fromSeed(seed); Identity b = Identity.fromSeed(seed)) {
            assertEquals(a.publicIdentity(), b.publicIdentity());
            seed[0] = 1;
            try (Identity c = Identity.fromSeed(seed)) {
                assertNotEquals(a.publicIdentity(), c.publicIdentity());
                assertNotEquals(a.keyId(), c.keyId());
            }
        }
    }

    @Test
    void closeRefusesFurtherUseAndToStringShowsNoSecret() {
        Identity id = Identity.generate(new SecureRandom());
        String s = id.toString();
        assertTrue(s.contains(id.keyId().hex()), s);
        id.close();
        assertTrue(id.isClosed());
        assertThrows(IllegalStateException.class, id::signingKey);
        assertTrue(id.publicIdentity().toString().startsWith("ML-DSA-87 "));
    }

    @Test
    void publicKeyBase64IsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PublicIdentity.fromBase64("not base64!"));
        assertTrue(e.getMessage().contains("base64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PublicIdentity.fromBase64(Base64.getEncoder().encodeToString(new byte[2591])));
        assertTrue(e.getMessage().contains("2592"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PublicIdentity.of(new byte[32]));
    }
}
