package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryWriterReaderTest {
    @TempDir
    Path dir;

    @Test
    void roundTripInOneJvm() {
        Path file = dir.resolve("telemetry");
        AtomicLong clock = new AtomicLong(5_000);
        try (TelemetryWriter w = TelemetryWriter.create(file, 4, clock::get, 1_700_000_000_000L)) {
            StageRecord decrypt = w.stage("rx/decrypt");
            PeerRecord peer = w.peer("node-7");
            for (int i = 0; i < 10; i++) {
                decrypt.event(100 + i);
            }
            decrypt.batch(8, 30);
            decrypt.batch(3, 50);
            decrypt.dutyCycle(2_500);
            decrypt.dutyCycle(1_000);
            decrypt.drop(DropReason.AUTH_FAILED.id());
            decrypt.drop(DropReason.AUTH_FAILED.id());
            decrypt.drop(DropReason.NO_SESSION.id());
            peer.received(1400);
            peer.sent(700);
            peer.sent(300);
            peer.drop(DropReason.REPLAY_DUPLICATE.id());
            peer.drop(DropReason.REPLAY_TOO_OLD.id());
            peer.drop(DropReason.AUTH_FAILED.id());
            peer.handshakeRetransmit();
            peer.feedback(4, 2_000, 31_000_000, 1_500_000);
            clock.set(7_000);
            w.heartbeat();

            try (TelemetryReader r = TelemetryReader.open(file, () -> 9_000)) {
                TelemetrySnapshot s = r.snapshot();
                assertEquals(ProcessHandle.current().pid(), s.pid());
                assertEquals(1_700_000_000_000L, s.startEpochMillis());
                assertEquals(7_000, s.heartbeatNanos());
                assertEquals(2_000, s.heartbeatAgeNanos());
                assertEquals(WriterStatus.ALIVE, s.writerStatus());
                assertEquals(2, s.records().size());

                RecordSnapshot st = s.records(RecordKind.STAGE).get(0);
                assertEquals("rx/decrypt", st.name());
                assertTrue(st.consistent());
                assertEquals(10, st.get(StageCounter.EVENTS));
                assertEquals(1045, st.get(StageCounter.BYTES));
                assertEquals(2, st.get(StageCounter.BATCHES));
                assertEquals(8, st.get(StageCounter.MAX_BATCH));
                assertEquals(50, st.get(StageCounter.MAX_QUEUE_DEPTH));
                assertEquals(2_500, st.get(StageCounter.MAX_DUTY_CYCLE_NANOS));
                assertEquals(3, st.get(StageCounter.DROPS));
                assertEquals(2, st.drops(DropReason.AUTH_FAILED));
                assertEquals(1, st.drops(DropReason.NO_SESSION));
                assertEquals(0, st.drops(DropReason.LINK_FULL));
                assertEquals(10, decrypt.get(StageCounter.EVENTS));

                RecordSnapshot p = s.records(RecordKind.PEER).get(0);
                assertEquals("node-7", p.name());
                assertEquals(1, p.get(PeerCounter.RX_PACKETS));
                assertEquals(1400, p.get(PeerCounter.RX_BYTES));
                assertEquals(2, p.get(PeerCounter.TX_PACKETS));
                assertEquals(1000, p.get(PeerCounter.TX_BYTES));
                assertEquals(3, p.get(PeerCounter.DROPS));
                assertEquals(2, p.get(PeerCounter.REPLAY_DROPS));
                assertEquals(1, p.get(PeerCounter.AUTH_DROPS));
                assertEquals(1, p.get(PeerCounter.HANDSHAKE_RETRANSMITS));
                assertEquals(4, p.get(PeerCounter.LOST_PACKETS));
                assertEquals(2_000, p.get(PeerCounter.LOSS_PPM));
                assertEquals(31_000_000, p.get(PeerCounter.RTT_NANOS));
                assertEquals(1_500_000, p.get(PeerCounter.JITTER_NANOS));
            }
        }
        assertFalse(Files.exists(file), "close removes the file");
    }

    @Test
    void headerBytesOnDiskFollowTheLayout() throws IOException {
        Path file = dir.resolve("t");
        try (TelemetryWriter w = TelemetryWriter.create(file, 2, () -> 42, 99)) {
            w.stage("s").event(5);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            // Chronicle rounds the mapping (and so the file) up to whole pages
            assertTrue(b.capacity() >= TelemetryLayout.fileSize(2), "size " + b.capacity());
            assertEquals(TelemetryLayout.MAGIC, b.getLong(0));
            assertEquals(1, b.getInt(8));
            assertEquals(128, b.getInt(12));
            assertEquals(ProcessHandle.current().pid(), b.getLong(16));
            assertEquals(99, b.getLong(24));
            assertEquals(42, b.getLong(32));
            assertEquals(2, b.getInt(40));
            assertEquals(1216, b.getInt(44));
            assertEquals(1, b.getLong(56));
            assertEquals(2, b.getLong(128), "one update: sequence odd then even");
            assertEquals(RecordKind.STAGE.code(), b.getInt(128 + 8));
            assertEquals(1, b.getInt(128 + 12));
            assertEquals('s', b.get(128 + 16));
            assertEquals(1, b.getLong(128 + 64), "events");
            assertEquals(5, b.getLong(128 + 64 + 8), "bytes");
            assertEquals(RecordKind.FREE.code(), b.getInt(128 + 1216 + 8), "second record unclaimed");
        }
    }

    @Test
    void refusesBadNamesAndAFullFileAndNoneAsADropReason() {
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 1)) {
            assertThrows(IllegalArgumentException.class, () -> w.stage("has space"));
            assertThrows(IllegalArgumentException.class, () -> w.stage("x".repeat(49)));
            StageRecord s = w.stage("x".repeat(48));
            assertThrows(TelemetryException.class, () -> w.peer("p"));
            assertThrows(IllegalArgumentException.class, () -> s.drop(0));
            assertThrows(IllegalArgumentException.class, () -> s.drop(TelemetryLayout.DROP_SLOTS));
        }
    }

    @Test
    void missingAndForeignFilesAreNamedInTheError() throws IOException {
        Path missing = dir.resolve("nope");
        TelemetryException e = assertThrows(TelemetryException.class, () -> TelemetryReader.open(missing));
        assertTrue(e.getMessage().contains("no telemetry file at " + missing), e.getMessage());
        Path foreign = dir.resolve("foreign");
        Files.writeString(foreign, "not telemetry, but someone's data ".repeat(10));
        e = assertThrows(TelemetryException.class, () -> TelemetryReader.open(foreign));
        assertTrue(e.getMessage().contains("no telemetry magic"), e.getMessage());
        e = assertThrows(TelemetryException.class, () -> TelemetryWriter.create(foreign, 1));
        assertTrue(e.getMessage().contains("refusing to replace"), e.getMessage());
        assertTrue(Files.readString(foreign).startsWith("not telemetry"), "foreign file left alone");
    }

    @Test
    void aLiveWritersFileIsNotTakenOver() {
        Path file = dir.resolve("t");
        try (TelemetryWriter first = TelemetryWriter.create(file, 1)) {
            TelemetryException e = assertThrows(TelemetryException.class, () -> TelemetryWriter.create(file, 1));
            assertTrue(e.getMessage().contains("running writer"), e.getMessage());
            assertTrue(Files.exists(first.path()));
        }
    }

    /** A writer that died leaves its file; the next writer replaces it, and readers call it dead. */
    @Test
    void staleFileFromDeadWriterIsDetectedAndReplaced() throws Exception {
        Path file = dir.resolve("t");
        long deadPid = deadPid();
        try (TelemetryWriter w = TelemetryWriter.create(file, 2, () -> 0, 1)) {
            w.stage("old").event(1);
            Files.copy(file, dir.resolve("copy"));
        }
        // the dead writer's file: as it was, but with a pid that no longer runs
        byte[] bytes = Files.readAllBytes(dir.resolve("copy"));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(TelemetryLayout.PID_OFFSET, deadPid);
        Files.write(file, bytes);
        try (TelemetryReader r = TelemetryReader.open(file)) {
            TelemetrySnapshot s = r.snapshot();
            assertEquals(deadPid, s.pid());
            assertEquals(WriterStatus.DEAD, s.writerStatus());
        }
        try (TelemetryWriter w = TelemetryWriter.create(file, 3);
                TelemetryReader r = TelemetryReader.open(file)) {
            TelemetrySnapshot s = r.snapshot();
            assertEquals(ProcessHandle.current().pid(), s.pid());
            assertEquals(List.of(), s.records(), "fresh file, old records gone");
            assertEquals(3, w.capacity());
            assertEquals(WriterStatus.ALIVE, s.writerStatus());
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void staleHeartbeatAndClosedWriterAreReported() {
        Path file = dir.resolve("t");
        AtomicLong readerClock = new AtomicLong(1_000);
        TelemetryWriter w = TelemetryWriter.create(file, 1, () -> 1_000, 0);
        try (TelemetryReader r = TelemetryReader.open(file, readerClock::get)) {
            assertEquals(WriterStatus.ALIVE, r.snapshot().writerStatus());
            readerClock.set(1_000 + TelemetrySnapshot.STALE_AFTER_NANOS);
            assertEquals(WriterStatus.ALIVE, r.snapshot().writerStatus(), "exactly at the limit: still alive");
            readerClock.set(1_001 + TelemetrySnapshot.STALE_AFTER_NANOS);
            assertEquals(WriterStatus.STALE, r.snapshot().writerStatus());
            assertEquals(WriterStatus.DEAD, r.snapshot().writerStatus(pid -> false));
            w.close();
            // the reader's mapping outlives the file's name
            assertEquals(WriterStatus.CLOSED, r.snapshot().writerStatus());
        } finally {
            w.close();
        }
    }

    @Test
    void heartbeatThreadBeats() throws InterruptedException {
        AtomicLong clock = new AtomicLong(1);
        CountDownLatch beats = new CountDownLatch(2); // create() reads the clock once, then the thread
        TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 1, () -> {
            beats.countDown();
            return clock.incrementAndGet();
        }, 0);
        try (TelemetryReader r = TelemetryReader.open(w.path())) {
            try (w) {
                assertEquals(2, r.snapshot().heartbeatNanos());
                w.startHeartbeat();
                assertTrue(beats.await(5, TimeUnit.SECONDS), "the thread beats as it starts");
            }
            // close() joined the thread; the reader's mapping outlives the file
            assertTrue(r.snapshot().heartbeatNanos() >= 3, "the beat reached the file");
        }
    }

    /** A reader racing the owner never sees half an update: events and bytes move together. */
    @Test
    void concurrentSnapshotsAreConsistent() throws InterruptedException {
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 1);
                TelemetryReader r = TelemetryReader.open(w.path())) {
            StageRecord s = w.stage("s");
            AtomicBoolean stop = new AtomicBoolean();
            Thread owner = new Thread(() -> {
                while (!stop.get()) {
                    s.event(3);
                }
            });
            owner.start();
            try {
                long last = 0;
                int checked = 0;
                for (int i = 0; i < 2_000; i++) {
                    RecordSnapshot snap = r.snapshot().records().get(0);
                    if (snap.consistent()) {
                        long events = snap.get(StageCounter.EVENTS);
                        assertEquals(3 * events, snap.get(StageCounter.BYTES), "torn read");
                        assertTrue(events >= last, "events went backwards");
                        last = events;
                        checked++;
                    }
                }
                assertTrue(checked > 0, "some snapshots settle against a writer in a tight loop");
            } finally {
                stop.set(true);
                owner.join();
            }
        }
    }

    /** A record caught mid-update (sequence odd) is reported as not consistent, never as settled. */
    @Test
    void halfDoneUpdateIsNotConsistent() {
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 1);
                TelemetryReader r = TelemetryReader.open(w.path())) {
            StageRecord s = w.stage("s");
            s.event(1);
            s.begin();
            RecordSnapshot during = r.snapshot().records().get(0);
            assertFalse(during.consistent());
            s.end();
            RecordSnapshot after = r.snapshot().records().get(0);
            assertTrue(after.consistent());
            assertEquals(1, after.get(StageCounter.EVENTS));
        }
    }

    /** The hot path allocates nothing: 200 000 updates of each kind, counted in bytes. */
    @Test
    void recordWritesDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 2)) {
            StageRecord s = w.stage("s");
            PeerRecord p = w.peer("p");
            run(s, p, 20_000); // warm up: JIT, class init
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            run(s, p, 200_000);
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertEquals(220_000, s.get(StageCounter.EVENTS));
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 200 000 updates");
        }
    }

    private static void run(StageRecord s, PeerRecord p, int count) {
        for (int i = 0; i < count; i++) {
            s.event(1400);
            s.batch(i & 63, i & 1023);
            s.dutyCycle(i);
            s.drop(DropReason.AUTH_FAILED.id());
            p.received(1400);
            p.sent(1400);
            p.drop(DropReason.REPLAY_DUPLICATE.id());
            p.handshakeRetransmit();
            p.feedback(1, i, i, i);
        }
    }

    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertFalse(TelemetryReader.processAlive(p.pid()));
        return p.pid();
    }
}
