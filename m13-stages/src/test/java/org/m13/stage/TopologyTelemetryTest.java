package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.telemetry.DropReason;
import org.m13.telemetry.RecordKind;
import org.m13.telemetry.RecordSnapshot;
import org.m13.telemetry.StageCounter;
import org.m13.telemetry.TelemetryReader;
import org.m13.telemetry.TelemetryWriter;
import org.m13.topology.AffinityThreads;
import org.m13.topology.RingSpec;
import org.m13.topology.ThreadSpec;
import org.m13.topology.Topology;
import org.m13.topology.TopologyBuilder;
import org.m13.topology.TopologyException;
import org.m13.topology.WaitMode;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * The receive ring built from a topology with {@link AffinityThreads}, every thread
 * exporting telemetry, fed with real frames: the file adds up after close, fused on one
 * thread or split over two.
 */
class TopologyTelemetryTest {
    private static final int FRAMES = 3000;

    @TempDir
    Path dir;

    private static ThreadSpec thread(String name, String... stages) {
        return new ThreadSpec(name, List.of(stages), WaitMode.YIELD, ThreadSpec.UNPINNED);
    }

    @Test
    void compactRingFusedOnOneThread() throws TopologyException {
        run(new Topology("test", List.of(new RingSpec("rx", 1024, List.of(
                thread("rx-0", "parse", "decrypt", "classify", "scatter", "release"))))), List.of("m13-rx-0"));
    }

    @Test
    void ringSplitOverTwoThreads() throws TopologyException {
        run(new Topology("test", List.of(new RingSpec("rx", 1024, List.of(
                thread("rx-0", "parse", "decrypt"), thread("rx-1", "classify", "scatter", "release"))))),
                List.of("m13-rx-0", "m13-rx-1"));
    }

    private void run(Topology topology, List<String> threadNames) throws TopologyException {
        SlotPool pool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        Path file = dir.resolve("telemetry");
        AffinityThreads threads = new AffinityThreads();
        int bad = 0;
        try (RxChain chain = new RxChain(pool);
                TelemetryWriter writer = TelemetryWriter.create(file, 8)) {
            List<RingPipeline> rings = TopologyBuilder.build(topology, List.of(chain.stages()), 2, threads);
            RingPipeline ring = rings.get(0);
            for (int i = 0; i < ring.threadCount(); i++) {
                ring.handler(i).telemetry(writer, ring.name());
            }
            try {
                ring.start();
                int offset = Wire.UDP_HUB_FRAME_OFFSET;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (int seq = 1; seq <= FRAMES; seq++) {
                    int slot;
                    while ((slot = pool.alloc()) == SlotPool.NO_SLOT) {
                        assertTrue(System.nanoTime() - deadline < 0, "slots never came back");
                        Thread.onSpinWait();
                    }
                    int length = TestFrames.sealed(pool, slot, offset, TestFrames.NODE_MAC, chain.rxKey, 0, seq,
                            Flags.TUNNEL, 512);
                    if (seq % 10 == 0) {
                        TestFrames.flip(pool, slot, offset, M13Header.BODY_OFFSET);
                        bad++;
                    }
                    ring.publish(slot, offset, length, System.nanoTime());
                }
                assertTrue(ring.awaitDrained(30, TimeUnit.SECONDS));
            } finally {
                ring.close();
            }
            for (int i = 0; i < ring.threadCount(); i++) {
                assertFalse(ring.thread(i).isAlive());
                assertEquals(threadNames.get(i), ring.thread(i).getName());
                assertFalse(threads.placement(threadNames.get(i)).pinned());
            }
            assertEquals(0, pool.inUse());
            Map<String, RecordSnapshot> s = new HashMap<>();
            try (TelemetryReader reader = TelemetryReader.open(file)) {
                for (RecordSnapshot r : reader.snapshot().records(RecordKind.STAGE)) {
                    s.put(r.name(), r);
                }
            }
            assertEquals(5, s.size(), s.keySet().toString());
            assertEquals(FRAMES, s.get("rx/parse").get(StageCounter.EVENTS));
            assertEquals(FRAMES, s.get("rx/decrypt").get(StageCounter.EVENTS));
            assertEquals(bad, s.get("rx/decrypt").drops(DropReason.AUTH_FAILED));
            assertEquals(FRAMES - bad, s.get("rx/classify").get(StageCounter.EVENTS));
            assertEquals(FRAMES - bad, s.get("rx/scatter").get(StageCounter.EVENTS));
            assertEquals(FRAMES, s.get("rx/release").get(StageCounter.EVENTS));
            assertEquals(bad, s.get("rx/release").get(StageCounter.DROPS));
            assertEquals(FRAMES - bad, chain.tun.frames);
            for (RecordSnapshot r : s.values()) {
                assertTrue(r.get(StageCounter.BATCHES) > 0, r.name());
                assertTrue(r.get(StageCounter.MAX_BATCH) >= 1, r.name());
                assertTrue(r.get(StageCounter.MAX_DUTY_CYCLE_NANOS) > 0, r.name());
            }
            // the stages of one thread share its batch figures
            assertEquals(s.get("rx/parse").get(StageCounter.BATCHES), s.get("rx/decrypt").get(StageCounter.BATCHES));
        }
    }
}
