package org.m13.telemetry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytes;

/**
 * Maps a telemetry file read-only, from any process, and takes snapshots. Each record
 * is read under its seqlock: sequence, fields, sequence again, retried while odd or
 * changed, so a snapshot never mixes two halves of one update.
 */
public final class TelemetryReader implements AutoCloseable {
    private static final int MAX_ATTEMPTS = 10_000;

    private final Path path;
    private final MappedBytes mapping;
    private final BytesStore<?, ?> store;
    private final int records;
    private final LongSupplier nanoClock;

    private TelemetryReader(Path path, MappedBytes mapping, int records, LongSupplier nanoClock) {
        this.path = path;
        this.mapping = mapping;
        this.store = mapping.bytesStore();
        this.records = records;
        this.nanoClock = nanoClock;
    }

    /** Opens {@code path} with System.nanoTime as the snapshot clock. */
    public static TelemetryReader open(Path path) {
        return open(path, System::nanoTime);
    }

    /**
     * Opens {@code path} read-only.
     *
     * @throws TelemetryException when the file is missing, not a telemetry file, or of another layout version
     */
    public static TelemetryReader open(Path path, LongSupplier nanoClock) {
        ByteBuffer header = readHeader(path);
        String problem = headerProblem(header);
        if (problem != null) {
            throw new TelemetryException(path + " is not a usable telemetry file: " + problem);
        }
        int count = header.getInt(TelemetryLayout.RECORD_COUNT_OFFSET);
        long size = TelemetryLayout.fileSize(count);
        try {
            if (Files.size(path) < size) {
                throw new TelemetryException(path + " is shorter than its header says (" + size + " bytes)");
            }
            return new TelemetryReader(path, MappedBytes.singleMappedBytes(path.toFile(), size, true), count, nanoClock);
        } catch (IOException e) {
            throw new TelemetryException("cannot map telemetry file " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** The header and every claimed record, now. */
    public TelemetrySnapshot snapshot() {
        List<RecordSnapshot> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            RecordSnapshot r = readRecord(i);
            if (r != null) {
                list.add(r);
            }
        }
        return new TelemetrySnapshot(store.readVolatileLong(TelemetryLayout.PID_OFFSET),
                store.readVolatileLong(TelemetryLayout.START_MILLIS_OFFSET),
                store.readVolatileLong(TelemetryLayout.HEARTBEAT_OFFSET),
                store.readVolatileLong(TelemetryLayout.STATE_OFFSET), nanoClock.getAsLong(), list);
    }

    private RecordSnapshot readRecord(int index) {
        long base = TelemetryLayout.recordOffset(index);
        RecordKind kind = RecordKind.of(store.readVolatileInt(base + TelemetryLayout.KIND_OFFSET));
        if (kind == RecordKind.FREE) {
            return null;
        }
        int nameLength = Math.min(TelemetryLayout.NAME_MAX,
                Math.max(0, store.readInt(base + TelemetryLayout.NAME_LENGTH_OFFSET)));
        byte[] name = new byte[nameLength];
        for (int i = 0; i < nameLength; i++) {
            name[i] = store.readByte(base + TelemetryLayout.NAME_OFFSET + i);
        }
        long[] counters = new long[TelemetryLayout.COUNTER_SLOTS];
        long[] drops = new long[TelemetryLayout.DROP_SLOTS];
        boolean consistent = false;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && !consistent; attempt++) {
            long before = store.readVolatileLong(base + TelemetryLayout.SEQUENCE_OFFSET);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            for (int s = 0; s < counters.length; s++) {
                counters[s] = store.readVolatileLong(base + TelemetryLayout.counterOffset(s));
            }
            for (int d = 0; d < drops.length; d++) {
                drops[d] = store.readVolatileLong(base + TelemetryLayout.dropOffset(d));
            }
            consistent = store.readVolatileLong(base + TelemetryLayout.SEQUENCE_OFFSET) == before;
        }
        return new RecordSnapshot(index, kind, new String(name, StandardCharsets.US_ASCII), counters, drops,
                consistent);
    }

    @Override
    public void close() {
        mapping.releaseLast();
    }

    /** Whether {@code pid} is a live process on this host (in this pid namespace). */
    public static boolean processAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** What a writer may do with an existing file. */
    enum Verdict { LIVE, REPLACEABLE, FOREIGN }

    record Probe(Verdict verdict, long pid, String detail) {
    }

    /** Reads an existing file's header to decide whether a new writer may replace it. */
    static Probe probe(Path path) {
        ByteBuffer header;
        try {
            header = readHeader(path);
        } catch (TelemetryException e) {
            return new Probe(Verdict.FOREIGN, 0, e.getMessage());
        }
        long magic = header.getLong(TelemetryLayout.MAGIC_OFFSET);
        if (header.limit() < TelemetryLayout.HEADER_SIZE || magic == 0) {
            // a writer that died between creating and finishing its file (never under
            // this name, since files appear by rename, but an old build might): torn
            boolean allZero = true;
            for (int i = 0; i < header.limit(); i++) {
                allZero &= header.get(i) == 0;
            }
            return allZero ? new Probe(Verdict.REPLACEABLE, 0, "empty")
                    : new Probe(Verdict.FOREIGN, 0, "no telemetry magic");
        }
        if (magic != TelemetryLayout.MAGIC) {
            return new Probe(Verdict.FOREIGN, 0, "no telemetry magic");
        }
        long pid = header.getLong(TelemetryLayout.PID_OFFSET);
        boolean running = header.getLong(TelemetryLayout.STATE_OFFSET) == TelemetryLayout.STATE_RUNNING;
        return running && processAlive(pid) ? new Probe(Verdict.LIVE, pid, "running")
                : new Probe(Verdict.REPLACEABLE, pid, running ? "writer gone" : "closed");
    }

    private static ByteBuffer readHeader(Path path) {
        byte[] bytes = new byte[TelemetryLayout.HEADER_SIZE];
        int n = 0;
        try (InputStream in = Files.newInputStream(path)) {
            int r;
            while (n < bytes.length && (r = in.read(bytes, n, bytes.length - n)) > 0) {
                n += r;
            }
        } catch (NoSuchFileException e) {
            throw new TelemetryException("no telemetry file at " + path, e);
        } catch (IOException e) {
            throw new TelemetryException("cannot read telemetry file " + path + ": " + e.getMessage(), e);
        }
        return ByteBuffer.wrap(bytes, 0, n).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String headerProblem(ByteBuffer h) {
        if (h.limit() < TelemetryLayout.HEADER_SIZE) {
            return "shorter than its header";
        }
        if (h.getLong(TelemetryLayout.MAGIC_OFFSET) != TelemetryLayout.MAGIC) {
            return "no telemetry magic";
        }
        int version = h.getInt(TelemetryLayout.VERSION_OFFSET);
        if (version != TelemetryLayout.VERSION) {
            return "layout version " + version + ", this build reads " + TelemetryLayout.VERSION;
        }
        if (h.getInt(TelemetryLayout.HEADER_SIZE_OFFSET) != TelemetryLayout.HEADER_SIZE
                || h.getInt(TelemetryLayout.RECORD_SIZE_OFFSET) != TelemetryLayout.RECORD_SIZE
                || h.getInt(TelemetryLayout.COUNTER_SLOTS_OFFSET) != TelemetryLayout.COUNTER_SLOTS
                || h.getInt(TelemetryLayout.DROP_SLOTS_OFFSET) != TelemetryLayout.DROP_SLOTS) {
            return "header, record or slot sizes differ from this build's layout";
        }
        int count = h.getInt(TelemetryLayout.RECORD_COUNT_OFFSET);
        return count < 1 || count > 65_536 ? "record count " + count + " out of range" : null;
    }
}
