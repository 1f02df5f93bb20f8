package org.m13.telemetry;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytes;

/**
 * Owns the telemetry file: creates it (replacing a stale file left by a dead writer),
 * hands out one {@link StageRecord} or {@link PeerRecord} per stage and peer, beats the
 * heartbeat and removes the file on {@link #close()}.
 *
 * <p>Records are claimed at set-up ({@link #stage}, {@link #peer}: they allocate); after
 * that each record is written by its owning thread only. Close only after every owning
 * thread stopped: the mapping goes away with the file.
 */
public final class TelemetryWriter implements AutoCloseable {
    /** Where the daemons put the file unless told otherwise. */
    public static final Path DEFAULT_PATH = Path.of("/dev/shm/m13-telemetry");

    private final Path path;
    private final MappedBytes mapping;
    private final BytesStore<?, ?> store;
    private final int capacity;
    private final LongSupplier nanoClock;
    private final Object fileKey;
    private int claimed;
    private Thread heartbeatThread;
    private boolean closed;

    private TelemetryWriter(Path path, MappedBytes mapping, int capacity, LongSupplier nanoClock, Object fileKey) {
        this.path = path;
        this.mapping = mapping;
        this.store = mapping.bytesStore();
        this.capacity = capacity;
        this.nanoClock = nanoClock;
        this.fileKey = fileKey;
    }

    /** Creates the file at {@code path} with room for {@code records} records, using System.nanoTime. */
    public static TelemetryWriter create(Path path, int records) {
        return create(path, records, System::nanoTime, System.currentTimeMillis());
    }

    /**
     * Creates the file at {@code path}. A file there from a writer whose process is gone,
     * or one that closed, is replaced; a live writer's file, or a file that is not a
     * telemetry file, is refused.
     *
     * @throws TelemetryException naming the file when it cannot be created
     */
    public static TelemetryWriter create(Path path, int records, LongSupplier nanoClock, long startEpochMillis) {
        Objects.requireNonNull(path, "path");
        if (records < 1 || records > 65_536) {
            throw new IllegalArgumentException("records must be 1..65536, not " + records);
        }
        refuseLiveOrForeign(path);
        long pid = ProcessHandle.current().pid();
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = dir.resolve(path.getFileName() + ".tmp-" + pid);
        long size = TelemetryLayout.fileSize(records);
        MappedBytes mapping = null;
        try {
            try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
                raf.setLength(0);
                raf.setLength(size);
            }
            mapping = MappedBytes.singleMappedBytes(tmp.toFile(), size);
            BytesStore<?, ?> store = mapping.bytesStore();
            store.writeInt(TelemetryLayout.VERSION_OFFSET, TelemetryLayout.VERSION);
            store.writeInt(TelemetryLayout.HEADER_SIZE_OFFSET, TelemetryLayout.HEADER_SIZE);
            store.writeLong(TelemetryLayout.PID_OFFSET, pid);
            store.writeLong(TelemetryLayout.START_MILLIS_OFFSET, startEpochMillis);
            store.writeLong(TelemetryLayout.HEARTBEAT_OFFSET, nanoClock.getAsLong());
            store.writeInt(TelemetryLayout.RECORD_COUNT_OFFSET, records);
            store.writeInt(TelemetryLayout.RECORD_SIZE_OFFSET, TelemetryLayout.RECORD_SIZE);
            store.writeInt(TelemetryLayout.COUNTER_SLOTS_OFFSET, TelemetryLayout.COUNTER_SLOTS);
            store.writeInt(TelemetryLayout.DROP_SLOTS_OFFSET, TelemetryLayout.DROP_SLOTS);
            store.writeLong(TelemetryLayout.STATE_OFFSET, TelemetryLayout.STATE_RUNNING);
            store.writeOrderedLong(TelemetryLayout.MAGIC_OFFSET, TelemetryLayout.MAGIC);
            // readers never see a half-made file: it appears under its name complete
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Object key = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            return new TelemetryWriter(path, mapping, records, nanoClock, key);
        } catch (IOException | RuntimeException e) {
            if (mapping != null) {
                mapping.releaseLast();
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new TelemetryException("cannot create telemetry file " + path + ": " + e.getMessage(), e);
        }
    }

    private static void refuseLiveOrForeign(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        TelemetryReader.Probe probe = TelemetryReader.probe(path);
        switch (probe.verdict()) {
            case FOREIGN -> throw new TelemetryException(
                    "refusing to replace " + path + ": it is not a telemetry file (" + probe.detail() + ")");
            case LIVE -> throw new TelemetryException(
                    "telemetry file " + path + " belongs to a running writer, pid " + probe.pid());
            case REPLACEABLE -> {
                // a dead or closed writer's file (or a torn, empty one): created anew below
            }
        }
    }

    /** Claims the next free record for a stage (set-up time; allocates). */
    public StageRecord stage(String name) {
        return new StageRecord(store, claim(RecordKind.STAGE, name));
    }

    /**
     * Claims the next free record for a peer (set-up time; allocates). A record has one
     * writer thread: claim one per thread that reports on the peer, e.g. {@code node-7/rx}
     * and {@code node-7/tx} (see {@link PeerRecord}).
     */
    public PeerRecord peer(String name) {
        return new PeerRecord(store, claim(RecordKind.PEER, name));
    }

    private synchronized long claim(RecordKind kind, String name) {
        if (closed) {
            throw new IllegalStateException("telemetry writer closed");
        }
        byte[] bytes = checkName(name);
        if (claimed == capacity) {
            throw new TelemetryException("telemetry file " + path + " is full: " + capacity + " records");
        }
        long base = TelemetryLayout.recordOffset(claimed++);
        store.writeInt(base + TelemetryLayout.NAME_LENGTH_OFFSET, bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            store.writeByte(base + TelemetryLayout.NAME_OFFSET + i, bytes[i]);
        }
        store.writeOrderedInt(base + TelemetryLayout.KIND_OFFSET, kind.code());
        return base;
    }

    private static byte[] checkName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        boolean printable = !name.isEmpty() && bytes.length <= TelemetryLayout.NAME_MAX;
        for (int i = 0; i < name.length() && printable; i++) {
            char c = name.charAt(i);
            printable = c > ' ' && c < 0x7f;
        }
        if (!printable) {
            throw new IllegalArgumentException("record name must be 1.." + TelemetryLayout.NAME_MAX
                    + " printable ASCII characters without spaces: '" + name + "'");
        }
        return bytes;
    }

    /** Writes the heartbeat from the writer's clock; the heartbeat thread calls it once a second. */
    public void heartbeat() {
        store.writeOrderedLong(TelemetryLayout.HEARTBEAT_OFFSET, nanoClock.getAsLong());
    }

    /** Starts a daemon thread that beats the heartbeat once a second until {@link #close()}. */
    public synchronized void startHeartbeat() {
        if (heartbeatThread != null || closed) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    heartbeat();
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "m13-telemetry-heartbeat");
        t.setDaemon(true);
        t.start();
        heartbeatThread = t;
    }

    public Path path() {
        return path;
    }

    /** Records in the file, used or not. */
    public int capacity() {
        return capacity;
    }

    /** Marks the file closed, removes it (if it is still this writer's) and unmaps it. */
    @Override
    public void close() {
        Thread beat;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            beat = heartbeatThread;
        }
        if (beat != null) {
            beat.interrupt();
            try {
                beat.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.writeOrderedLong(TelemetryLayout.STATE_OFFSET, TelemetryLayout.STATE_CLOSED);
        try {
            Object key = Files.exists(path)
                    ? Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey() : null;
            if (key != null && key.equals(fileKey)) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new TelemetryException("cannot remove telemetry file " + path + ": " + e.getMessage(), e);
        } finally {
            mapping.releaseLast();
        }
    }
}
