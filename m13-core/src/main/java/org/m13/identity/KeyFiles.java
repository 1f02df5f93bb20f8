package org.m13.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * Private key files, and the operations behind {@code m13 keygen} and {@code m13 pubkey}.
 *
 * <p>Format: the standard base64 (with padding) of the 32-byte ML-DSA-87 seed, 44 ASCII
 * characters, then one newline: 45 bytes. A reader also accepts the 44 characters
 * without the newline, or with CR LF. Files are created with mode 0600 (atomically, at
 * creation) and never overwritten. A file that other users may read or write (any of
 * the "other" permission bits) is refused; group bits are allowed so that a service
 * group can be given read access.
 */
public final class KeyFiles {
    /** Base64 characters of the seed: 4 * ceil(32 / 3). */
    public static final int SEED_BASE64_CHARS = 44;
    /** Size of a file written by {@link #generateAndWrite}. */
    public static final int FILE_BYTES = SEED_BASE64_CHARS + 1;

    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** Larger than any valid file; bounds what a mistaken path makes us read. */
    private static final int READ_LIMIT = SEED_BASE64_CHARS + 2;

    private KeyFiles() {
    }

    /**
     * {@code m13 keygen}: draws a new identity from {@code random} and writes its private
     * key to a new file with mode 0600. Refuses to overwrite an existing file (the file is
     * left untouched). The caller prints {@code publicIdentity().base64()} and closes the
     * identity when done.
     */
    public static Identity generateAndWrite(Path file, SecureRandom random) throws KeyFileException {
        Identity identity = Identity.generate(random);
        byte[] seed = identity.seedCopy();
        byte[] text = null;
        try {
            text = encodeSeed(seed);
            write(file, text);
            return identity;
        } catch (KeyFileException | RuntimeException e) {
            identity.close();
            throw e;
        } finally {
            Arrays.fill(seed, (byte) 0);
            if (text != null) {
                Arrays.fill(text, (byte) 0);
            }
        }
    }

    /**
     * Reads a private key file. Errors name the file: missing, not a regular file or not
     * readable, accessible by other users, wrong size, not base64.
     */
    public static Identity readPrivate(Path file) throws KeyFileException {
        checkFile(file);
        byte[] raw = readBounded(file);
        byte[] seed = null;
        try {
            int length = raw.length;
            if (length == SEED_BASE64_CHARS + 2 && raw[length - 2] == '\r' && raw[length - 1] == '\n') {
                length -= 2;
            } else if (length == SEED_BASE64_CHARS + 1 && raw[length - 1] == '\n') {
                length -= 1;
            }
            if (length != SEED_BASE64_CHARS) {
                throw new KeyFileException(file, KeyFileException.Problem.WRONG_SIZE,
                        "wrong size: expected " + FILE_BYTES + " bytes (base64 of a " + Identity.SEED_BYTES
                                + "-byte ML-DSA-87 seed and a newline), found " + describeSize(file, raw.length));
            }
            byte[] chars = Arrays.copyOf(raw, length);
            try {
                seed = Base64.getDecoder().decode(chars);
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(file, KeyFileException.Problem.BAD_ENCODING,
                        "not a key file: contents are not base64", e);
            } finally {
                Arrays.fill(chars, (byte) 0);
            }
            if (seed.length != Identity.SEED_BYTES) {
                throw new KeyFileException(file, KeyFileException.Problem.WRONG_SIZE,
                        "wrong size: base64 decodes to " + seed.length + " bytes, expected " + Identity.SEED_BYTES);
            }
            return Identity.fromSeed(seed);
        } finally {
            Arrays.fill(raw, (byte) 0);
            if (seed != null) {
                Arrays.fill(seed, (byte) 0);
            }
        }
    }

    /** {@code m13 pubkey}: the public half of a private key. */
    public static PublicIdentity derivePublic(Identity identity) {
        return identity.publicIdentity();
    }

    /** The base64 text of a public key, as {@code m13 keygen} and {@code m13 pubkey} print it. */
    public static String encodeBase64(PublicIdentity publicIdentity) {
        return publicIdentity.base64();
    }

    private static byte[] encodeSeed(byte[] seed) {
        byte[] b64 = Base64.getEncoder().encode(seed);
        byte[] text = Arrays.copyOf(b64, b64.length + 1);
        text[b64.length] = '\n';
        Arrays.fill(b64, (byte) 0);
        return text;
    }

    private static void write(Path file, byte[] text) throws KeyFileException {
        boolean posix = posixView(file.toAbsolutePath().getParent()) != null;
        try (SeekableByteChannel out = posix
                ? Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining()) {
                int written = out.write(buffer);
                if (written < 0) {
                    throw new IOException("write returned " + written);
                }
            }
            if (out instanceof FileChannel channel) {
                channel.force(true); // the key is on disk before keygen prints its public half
            }
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(file, KeyFileException.Problem.ALREADY_EXISTS,
                    "already exists; refusing to overwrite a key (remove it first if you mean to replace it)", e);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, KeyFileException.Problem.WRITE_FAILED,
                    "cannot create: directory " + file.toAbsolutePath().getParent() + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new KeyFileException(file, KeyFileException.Problem.WRITE_FAILED, "cannot create: permission denied", e);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new KeyFileException(file, KeyFileException.Problem.WRITE_FAILED, "cannot write: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the write already failed; that is the error reported
        }
    }

    private static void checkFile(Path file) throws KeyFileException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            throw new KeyFileException(file, KeyFileException.Problem.MISSING, "does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new KeyFileException(file, KeyFileException.Problem.UNREADABLE,
                    "not a regular file (a directory, device or dangling link?)");
        }
        PosixFileAttributeView view = posixView(file);
        if (view != null) {
            Set<PosixFilePermission> permissions;
            try {
                permissions = view.readAttributes().permissions();
            } catch (IOException e) {
                throw new KeyFileException(file, KeyFileException.Problem.UNREADABLE,
                        "cannot read its permissions: " + e.getMessage(), e);
            }
            Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
            open.addAll(permissions);
            open.retainAll(OTHERS);
            if (!open.isEmpty()) {
                throw new KeyFileException(file, KeyFileException.Problem.WORLD_ACCESSIBLE,
                        "accessible by other users (mode " + PosixFilePermissions.toString(permissions)
                                + "); run chmod 600 on it and consider the key compromised if others could read it");
            }
        }
    }

    private static byte[] readBounded(Path file) throws KeyFileException {
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(READ_LIMIT + 1);
            while (buffer.hasRemaining() && in.read(buffer) > 0) {
                // keep reading until full or end of file
            }
            byte[] raw = Arrays.copyOf(buffer.array(), buffer.position());
            Arrays.fill(buffer.array(), (byte) 0);
            return raw;
        } catch (AccessDeniedException e) {
            throw new KeyFileException(file, KeyFileException.Problem.UNREADABLE, "cannot read: permission denied", e);
        } catch (IOException e) {
            throw new KeyFileException(file, KeyFileException.Problem.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
    }

    private static String describeSize(Path file, int bytesRead) {
        try {
            return Files.size(file) + " bytes";
        } catch (IOException e) {
            return "at least " + bytesRead + " bytes";
        }
    }

    private static PosixFileAttributeView posixView(Path path) {
        return path == null ? null : Files.getFileAttributeView(path, PosixFileAttributeView.class);
    }
}
