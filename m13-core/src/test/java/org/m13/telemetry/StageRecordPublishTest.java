package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StageRecord#publish}: totals kept by the stage thread, copied in one seqlock update. */
class StageRecordPublishTest {
    @TempDir
    Path dir;

    /** Totals with settable fields, drops by reason id. */
    private static final class Totals implements StageTotals {
        long events;
        long bytes;
        long batches;
        long maxBatch;
        long maxQueueDepth;
        long maxDuty;
        final long[] drops = new long[DropReason.ID_LIMIT];

        @Override
        public long events() {
            return events;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public long batches() {
            return batches;
        }

        @Override
        public long maxBatch() {
            return maxBatch;
        }

        @Override
        public long maxQueueDepth() {
            return maxQueueDepth;
        }

        @Override
        public long maxDutyCycleNanos() {
            return maxDuty;
        }

        @Override
        public long drops(DropReason reason) {
            return drops[reason.id()];
        }
    }

    @Test
    void publishOverwritesEveryCounterAndSumsTheDrops() {
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 2);
                TelemetryReader r = TelemetryReader.open(dir.resolve("t"))) {
            StageRecord record = w.stage("rx/decrypt");
            Totals t = new Totals();
            t.events = 1000;
            t.bytes = 1_400_000;
            t.batches = 40;
            t.maxBatch = 64;
            t.maxQueueDepth = 300;
            t.maxDuty = 12_345;
            t.drops[DropReason.AUTH_FAILED.id()] = 3;
            t.drops[DropReason.REPLAY_DUPLICATE.id()] = 2;
            t.drops[DropReason.SCHEDULER_DISCARDED.id()] = 1;
            record.publish(t);
            RecordSnapshot s = r.snapshot().records().get(0);
            assertTrue(s.consistent());
            assertEquals("rx/decrypt", s.name());
            assertEquals(1000, s.get(StageCounter.EVENTS));
            assertEquals(1_400_000, s.get(StageCounter.BYTES));
            assertEquals(40, s.get(StageCounter.BATCHES));
            assertEquals(64, s.get(StageCounter.MAX_BATCH));
            assertEquals(300, s.get(StageCounter.MAX_QUEUE_DEPTH));
            assertEquals(12_345, s.get(StageCounter.MAX_DUTY_CYCLE_NANOS));
            assertEquals(3, s.drops(DropReason.AUTH_FAILED));
            assertEquals(2, s.drops(DropReason.REPLAY_DUPLICATE));
            assertEquals(1, s.drops(DropReason.SCHEDULER_DISCARDED));
            assertEquals(6, s.get(StageCounter.DROPS));

            // totals, not deltas: a second publish replaces the values
            t.events = 1001;
            t.drops[DropReason.AUTH_FAILED.id()] = 4;
            record.publish(t);
            s = r.snapshot().records().get(0);
            assertEquals(1001, s.get(StageCounter.EVENTS));
            assertEquals(4, s.drops(DropReason.AUTH_FAILED));
            assertEquals(7, s.get(StageCounter.DROPS));
            assertEquals(1001, record.get(StageCounter.EVENTS));
        }
    }

    @Test
    void dropByReasonCountsLikeDropById() {
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 2);
                TelemetryReader r = TelemetryReader.open(dir.resolve("t"))) {
            StageRecord stage = w.stage("s");
            PeerRecord peer = w.peer("node-7/rx");
            stage.drop(DropReason.AUTH_FAILED);
            peer.drop(DropReason.AUTH_FAILED);
            peer.drop(DropReason.REPLAY_TOO_OLD);
            RecordSnapshot s = r.snapshot().records().get(0);
            RecordSnapshot p = r.snapshot().records().get(1);
            assertEquals(1, s.drops(DropReason.AUTH_FAILED));
            assertEquals(1, s.get(StageCounter.DROPS));
            assertEquals(2, p.get(PeerCounter.DROPS));
            assertEquals(1, p.get(PeerCounter.AUTH_DROPS));
            assertEquals(1, p.get(PeerCounter.REPLAY_DROPS));
        }
    }

    @Test
    void publishDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 1)) {
            StageRecord record = w.stage("s");
            Totals t = new Totals();
            publish(record, t, 20_000); // warm up
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            publish(record, t, 200_000);
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertEquals(220_000, record.get(StageCounter.EVENTS));
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 200 000 publishes");
        }
    }

    private static void publish(StageRecord record, Totals t, int count) {
        for (int i = 0; i < count; i++) {
            t.events++;
            t.drops[DropReason.AUTH_FAILED.id()]++;
            record.publish(t);
        }
    }
}
