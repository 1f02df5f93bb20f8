package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.telemetry.RecordKind;
import org.m13.telemetry.RecordSnapshot;
import org.m13.telemetry.StageCounter;
import org.m13.telemetry.TelemetryReader;
import org.m13.telemetry.TelemetryWriter;
import org.m13.wire.Direction;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * {@link FusedHandler#telemetry}: driven by direct onBatchStart/onEvent calls on a virtual
 * clock, read back from the file with {@link TelemetryReader}.
 */
class FusedHandlerTelemetryTest {
    private static final long MS = 1_000_000L;
    private static final int BODY = 1400;
    private static final int FRAME = Wire.MIN_FRAME_BYTES + BODY;

    @TempDir
    Path dir;

    private final SlotPool pool = new SlotPool(64, SlotPool.DEFAULT_SLOT_BYTES);
    private final long[] now = {1_000 * MS};
    private long seq = 1;

    /** The frames of a test batch: good, from a stranger, with a broken tag, cleartext tunnel. */
    private enum Kind { GOOD, STRANGER, BAD_TAG, CLEARTEXT_TUNNEL }

    private FrameEvent frame(RxChain chain, Kind kind) {
        int slot = pool.alloc();
        int offset = Wire.UDP_HUB_FRAME_OFFSET;
        int length = switch (kind) {
            case GOOD -> TestFrames.sealed(pool, slot, offset, TestFrames.NODE_MAC, chain.rxKey, 0, seq++,
                    Flags.TUNNEL, BODY);
            case STRANGER -> TestFrames.sealed(pool, slot, offset, TestFrames.STRANGER_MAC, chain.rxKey, 0, seq++,
                    Flags.TUNNEL, BODY);
            case BAD_TAG -> {
                int n = TestFrames.sealed(pool, slot, offset, TestFrames.NODE_MAC, chain.rxKey, 0, seq++,
                        Flags.TUNNEL, BODY);
                TestFrames.flip(pool, slot, offset, M13Header.BODY_OFFSET + 3);
                yield n;
            }
            case CLEARTEXT_TUNNEL -> TestFrames.cleartext(pool, slot, offset, TestFrames.NODE_MAC, seq++,
                    Flags.TUNNEL, BODY);
        };
        return new FrameEvent().received(slot, offset, length, now[0]);
    }

    private void batch(FusedHandler h, RxChain chain, long queueDepth, long dutyNanos, Kind... kinds) {
        FrameEvent[] events = new FrameEvent[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            events[i] = frame(chain, kinds[i]);
        }
        h.onBatchStart(kinds.length, queueDepth);
        for (int i = 0; i < events.length; i++) {
            if (i == events.length - 1) {
                now[0] += dutyNanos;
            }
            h.onEvent(events[i], i, i == events.length - 1);
        }
    }

    private static Map<String, RecordSnapshot> stages(TelemetryReader reader) {
        Map<String, RecordSnapshot> byName = new LinkedHashMap<>();
        for (RecordSnapshot r : reader.snapshot().records(RecordKind.STAGE)) {
            assertTrue(r.consistent(), r.name());
            byName.put(r.name(), r);
        }
        return byName;
    }

    @Test
    void eachStageRecordGetsItsStageCountersAndTheThreadsBatchFigures() {
        Path file = dir.resolve("telemetry");
        try (RxChain chain = new RxChain(pool);
                TelemetryWriter writer = TelemetryWriter.create(file, 8);
                TelemetryReader reader = TelemetryReader.open(file)) {
            FusedHandler h = new FusedHandler("rx-0", chain.stages())
                    .telemetry(writer, "rx", () -> now[0], 100 * MS);
            assertTrue(h.exportsTelemetry());
            assertEquals(List.of("rx/parse", "rx/decrypt", "rx/classify", "rx/scatter", "rx/release"),
                    List.copyOf(stages(reader).keySet()));

            h.onStart();
            batch(h, chain, 10, 7_000, Kind.GOOD, Kind.STRANGER, Kind.BAD_TAG, Kind.GOOD, Kind.CLEARTEXT_TUNNEL);
            // the first batch end publishes
            Map<String, RecordSnapshot> s = stages(reader);
            RecordSnapshot parse = s.get("rx/parse");
            assertEquals(5, parse.get(StageCounter.EVENTS));
            assertEquals(1, parse.drops(DropReason.UNKNOWN_PEER));
            assertEquals(1, parse.get(StageCounter.DROPS));
            assertEquals(1, parse.get(StageCounter.BATCHES));
            assertEquals(5, parse.get(StageCounter.MAX_BATCH));
            assertEquals(10, parse.get(StageCounter.MAX_QUEUE_DEPTH));
            assertEquals(7_000, parse.get(StageCounter.MAX_DUTY_CYCLE_NANOS));
            RecordSnapshot decrypt = s.get("rx/decrypt");
            assertEquals(4, decrypt.get(StageCounter.EVENTS));
            assertEquals(1, decrypt.drops(DropReason.AUTH_FAILED));
            assertEquals(1, decrypt.get(StageCounter.DROPS));
            RecordSnapshot classify = s.get("rx/classify");
            assertEquals(3, classify.get(StageCounter.EVENTS));
            assertEquals(1, classify.drops(DropReason.CLEARTEXT_REFUSED));
            assertEquals(2, s.get("rx/scatter").get(StageCounter.EVENTS));
            assertEquals(0, s.get("rx/scatter").get(StageCounter.DROPS));
            RecordSnapshot release = s.get("rx/release");
            assertEquals(5, release.get(StageCounter.EVENTS));
            assertEquals(3, release.get(StageCounter.DROPS), "release counts the ring's drops");
            assertEquals(1, release.drops(DropReason.UNKNOWN_PEER));
            assertEquals(1, release.drops(DropReason.AUTH_FAILED));
            assertEquals(1, release.drops(DropReason.CLEARTEXT_REFUSED));
            assertEquals(1, h.publishes());

            // within the interval: counted by the stages, not yet in the file
            now[0] += 50 * MS;
            batch(h, chain, 40, 20_000, Kind.GOOD, Kind.GOOD);
            assertEquals(1, h.publishes());
            assertEquals(5, stages(reader).get("rx/parse").get(StageCounter.EVENTS));
            assertEquals(7, chain.parse.events());

            // 100 ms after the last publish: the next batch end publishes
            now[0] += 50 * MS;
            batch(h, chain, 3, 1_000, Kind.BAD_TAG);
            assertEquals(2, h.publishes());
            s = stages(reader);
            assertEquals(8, s.get("rx/parse").get(StageCounter.EVENTS));
            assertEquals(3, s.get("rx/decrypt").get(StageCounter.BATCHES));
            assertEquals(5, s.get("rx/decrypt").get(StageCounter.MAX_BATCH));
            assertEquals(40, s.get("rx/decrypt").get(StageCounter.MAX_QUEUE_DEPTH));
            assertEquals(20_000, s.get("rx/decrypt").get(StageCounter.MAX_DUTY_CYCLE_NANOS));
            assertEquals(2, s.get("rx/decrypt").drops(DropReason.AUTH_FAILED));
            assertEquals(4, s.get("rx/release").get(StageCounter.DROPS));

            // shutdown publishes whatever the interval held back
            now[0] += MS;
            batch(h, chain, 1, 1_000, Kind.GOOD);
            assertEquals(8, stages(reader).get("rx/parse").get(StageCounter.EVENTS));
            h.onShutdown();
            s = stages(reader);
            assertEquals(9, s.get("rx/parse").get(StageCounter.EVENTS));
            assertEquals(9, s.get("rx/release").get(StageCounter.EVENTS));
            assertEquals(5, chain.tun.frames);
            assertEquals(0, chain.tun.corrupt);
            assertEquals(0, pool.inUse());
        }
    }

    @Test
    void linkSideRecordsCarryBytesAndAThrowingStageItsFaults() {
        Path file = dir.resolve("telemetry");
        SendSessionTable send = new SendSessionTable(1);
        long[] sentBytes = {0};
        IllegalStateException boom = new IllegalStateException("boom");
        Stage picky = new Stage() {
            @Override
            public String role() {
                return "picky";
            }

            @Override
            public void onEvent(FrameEvent event) {
                if (event.length() == Wire.MIN_FRAME_BYTES + 99) {
                    throw boom;
                }
            }
        };
        try (AesGcm key = AesGcm.withKey(TestFrames.key(1));
                TelemetryWriter writer = TelemetryWriter.create(file, 8);
                TelemetryReader reader = TelemetryReader.open(file)) {
            send.install(0, 0, key);
            Seal seal = new Seal(pool, send, Direction.NODE_TO_HUB);
            LinkTx link = new LinkTx(pool, (buffer, index, length) -> {
                sentBytes[0] += length;
                return true;
            });
            FusedHandler h = new FusedHandler("tx-0", seal, picky, link, new Release(pool, () -> now[0]))
                    .telemetry(writer, "tx", () -> now[0], 0);
            int[] bodies = {1400, 99, 64, 512};
            h.onBatchStart(bodies.length, bodies.length);
            for (int i = 0; i < bodies.length; i++) {
                int slot = pool.alloc();
                int length = TestFrames.cleartext(pool, slot, 0, TestFrames.NODE_MAC, i, Flags.TUNNEL, bodies[i]);
                h.onEvent(new FrameEvent().received(slot, 0, length, now[0]).peer(0), i, i == bodies.length - 1);
            }
            Map<String, RecordSnapshot> s = stages(reader);
            assertEquals(List.of("tx/seal", "tx/picky", "tx/link-tx", "tx/release"), List.copyOf(s.keySet()));
            assertEquals(4, s.get("tx/seal").get(StageCounter.EVENTS));
            assertEquals(0, s.get("tx/seal").get(StageCounter.BYTES), "seal does not count bytes");
            // a stage without counters of its own: only its faults and the thread's figures
            RecordSnapshot pickyRecord = s.get("tx/picky");
            assertEquals(0, pickyRecord.get(StageCounter.EVENTS));
            assertEquals(1, pickyRecord.drops(DropReason.STAGE_FAULT));
            assertEquals(1, pickyRecord.get(StageCounter.DROPS));
            assertEquals(1, pickyRecord.get(StageCounter.BATCHES));
            RecordSnapshot linkRecord = s.get("tx/link-tx");
            assertEquals(3, linkRecord.get(StageCounter.EVENTS));
            assertEquals(3 * Wire.MIN_FRAME_BYTES + 1400 + 64 + 512, linkRecord.get(StageCounter.BYTES));
            assertEquals(sentBytes[0], linkRecord.get(StageCounter.BYTES));
            assertEquals(1, s.get("tx/release").drops(DropReason.STAGE_FAULT));
            assertEquals(0, pool.inUse());
        }
    }

    @Test
    void withoutTelemetryNothingIsPublishedAndTelemetryIsSetOnce() {
        Path file = dir.resolve("telemetry");
        try (TelemetryWriter writer = TelemetryWriter.create(file, 8)) {
            FusedHandler h = new FusedHandler("rx-0", new Release(pool, () -> 0));
            assertFalse(h.exportsTelemetry());
            h.onBatchStart(1, 1);
            h.onEvent(new FrameEvent().received(pool.alloc(), 0, FRAME, 0), 0, true);
            h.publishTelemetry();
            assertEquals(0, h.publishes());
            assertEquals(0, h.maxDutyCycleNanos());
            h.telemetry(writer, "rx");
            assertThrows(IllegalStateException.class, () -> h.telemetry(writer, "rx2"));
            assertThrows(IllegalArgumentException.class,
                    () -> new FusedHandler("x", new Release(pool, () -> 0)).telemetry(writer, "x", () -> 0, -1));
        }
    }

    /**
     * The hot path with telemetry on allocates nothing: 1 000 000 frames after warm-up, in
     * batches of 16, a publish at every batch end (the clock jumps 50 ms at each read), with
     * drops mixed in.
     */
    @Test
    void zeroBytesPerEventWithTelemetryOn() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        Path file = dir.resolve("telemetry");
        try (RxChain chain = new RxChain(pool);
                TelemetryWriter writer = TelemetryWriter.create(file, 8);
                TelemetryReader reader = TelemetryReader.open(file)) {
            long[] clock = {0};
            FusedHandler h = new FusedHandler("rx-0", chain.stages())
                    .telemetry(writer, "rx", () -> clock[0] += 50 * MS, 100 * MS);
            FrameEvent[] ring = new FrameEvent[16];
            for (int i = 0; i < ring.length; i++) {
                ring[i] = new FrameEvent();
            }
            run(h, chain, ring, 100_000); // warm up: JIT, class init
            long tid = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(tid);
            run(h, chain, ring, 1_000_000);
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            h.onShutdown();
            RecordSnapshot parse = stages(reader).get("rx/parse");
            assertEquals(1_100_000, parse.get(StageCounter.EVENTS));
            assertTrue(parse.drops(DropReason.UNKNOWN_PEER) > 0);
            assertTrue(stages(reader).get("rx/decrypt").drops(DropReason.AUTH_FAILED) > 0);
            assertEquals(1_100_000 / 16, h.publishes() - 1, "a publish at every batch end, one at shutdown");
            assertEquals(0, pool.inUse());
            System.out.printf("FusedHandler with telemetry: %d bytes allocated over 1 000 000 events (%.4f per event)%n",
                    allocated, allocated / 1e6);
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 1 000 000 events");
        }
    }

    private void run(FusedHandler h, RxChain chain, FrameEvent[] ring, int count) {
        int offset = Wire.UDP_HUB_FRAME_OFFSET;
        for (int i = 0; i < count; i += ring.length) {
            h.onBatchStart(ring.length, ring.length);
            for (int j = 0; j < ring.length; j++) {
                int slot = pool.alloc();
                long n = seq++;
                long mac = n % 101 == 0 ? TestFrames.STRANGER_MAC : TestFrames.NODE_MAC;
                int length = TestFrames.sealed(pool, slot, offset, mac, chain.rxKey, 0, n, Flags.TUNNEL, 64);
                if (n % 67 == 0) {
                    TestFrames.flip(pool, slot, offset, M13Header.BODY_OFFSET + 1);
                }
                h.onEvent(ring[j].received(slot, offset, length, 0), n, j == ring.length - 1);
            }
        }
    }
}
