package org.m13.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.m13.stage.FrameEvent;
import org.m13.stage.NanoClock;
import org.m13.stage.Release;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.stage.Stage;

class TopologyTest {
    private static final Set<String> RX = Set.of("parse", "decrypt", "classify", "scatter", "release");

    private static ThreadSpec thread(String name, WaitMode wait, int core, String... stages) {
        return new ThreadSpec(name, List.of(stages), wait, core);
    }

    private static Topology topology(RingSpec... rings) {
        return new Topology("compact.yaml", List.of(rings));
    }

    private static String refusal(Topology t, Set<String> stages, int cores) {
        return assertThrows(TopologyException.class, () -> t.validate(stages, cores)).getMessage();
    }

    @Test
    void compactAndSplitLayoutsValidate() throws TopologyException {
        topology(new RingSpec("rx", 1024, List.of(thread("rx", WaitMode.YIELD, ThreadSpec.UNPINNED,
                "parse", "decrypt", "classify", "scatter", "release"))))
                .validate(RX, 2);
        topology(new RingSpec("rx", 1024, List.of(
                thread("rx-a", WaitMode.SPIN, 2, "parse", "decrypt"),
                thread("rx-b", WaitMode.SPIN, 3, "classify", "scatter", "release"))))
                .validate(RX, 8);
    }

    @Test
    void orphanStagesAndRingsWithoutConsumerAreRefused() {
        assertEquals("compact.yaml: stages: never placed: [release, scatter]", refusal(topology(new RingSpec("rx", 64,
                List.of(thread("rx", WaitMode.YIELD, -1, "parse", "decrypt", "classify")))), RX, 2));
        assertEquals("compact.yaml: ring tx: no thread consumes this ring", refusal(topology(
                new RingSpec("rx", 64, List.of(thread("rx", WaitMode.YIELD, -1, "parse", "decrypt", "classify",
                        "scatter", "release"))),
                new RingSpec("tx", 64, List.of())), RX, 2));
    }

    @Test
    void placementMistakesAreRefusedNamingThePlace() {
        assertEquals("compact.yaml: ring rx, thread rx: unknown stage 'decrpyt' (known: [classify, decrypt, parse, "
                + "release, scatter])", refusal(topology(new RingSpec("rx", 64, List.of(thread("rx", WaitMode.YIELD,
                -1, "parse", "decrpyt")))), RX, 2));
        assertEquals("compact.yaml: ring rx, thread b: stage 'parse' placed twice (also on thread a)",
                refusal(topology(new RingSpec("rx", 64, List.of(thread("a", WaitMode.YIELD, -1, "parse"),
                        thread("b", WaitMode.YIELD, -1, "parse")))), RX, 2));
        assertEquals("compact.yaml: ring rx, thread b: runs no stage", refusal(topology(new RingSpec("rx", 64,
                List.of(thread("a", WaitMode.YIELD, -1, "parse"), thread("b", WaitMode.YIELD, -1)))), RX, 2));
        assertEquals("compact.yaml: ring rx: size 1000 is not a power of two", refusal(topology(new RingSpec("rx",
                1000, List.of(thread("a", WaitMode.YIELD, -1, "parse")))), RX, 2));
        assertTrue(refusal(topology(new RingSpec("rx", 64, List.of(thread("a", WaitMode.YIELD, -1, "parse"),
                thread("b", WaitMode.BLOCK, -1, "decrypt")))), RX, 2).contains("one wait strategy per ring"));
    }

    @Test
    void coresAndSpinningAreCheckedAgainstTheMachine() {
        assertEquals("compact.yaml: ring rx, thread a: core 2 does not exist (cores 0..1)", refusal(topology(
                new RingSpec("rx", 64, List.of(thread("a", WaitMode.SPIN, 2, "parse")))), RX, 2));
        assertEquals("compact.yaml: ring tx, thread b: spins on core 1, as thread a does", refusal(topology(
                new RingSpec("rx", 64, List.of(thread("a", WaitMode.SPIN, 1, "parse"))),
                new RingSpec("tx", 64, List.of(thread("b", WaitMode.SPIN, 1, "decrypt")))), RX, 8));
        String tooMany = refusal(topology(
                new RingSpec("rx", 64, List.of(thread("a", WaitMode.SPIN, -1, "parse", "decrypt"),
                        thread("b", WaitMode.SPIN, -1, "classify"), thread("c", WaitMode.SPIN, -1, "scatter",
                                "release")))), RX, 2);
        assertEquals("compact.yaml: threads: 3 spinning threads but only 2 cores: spinning threads starve the ones "
                + "they wait for; use yield or backoff", tooMany);
    }

    @Test
    void waitLabelsAreAClosedVocabulary() {
        assertEquals(WaitMode.BACKOFF, WaitMode.ofLabel("backoff"));
        assertEquals(WaitMode.SPIN, WaitMode.ofLabel("SPIN"));
        assertThrows(IllegalArgumentException.class, () -> WaitMode.ofLabel("sleep"));
        for (WaitMode m : WaitMode.values()) {
            assertEquals(m, WaitMode.ofLabel(m.label()));
            assertEquals(m == WaitMode.SPIN, m.spins());
            assertTrue(m.strategy() != null);
        }
    }

    /** A counting stage with a role, standing in for the real ones. */
    private static final class Counting implements Stage {
        private final String role;
        long events;

        Counting(String role) {
            this.role = role;
        }

        @Override
        public String role() {
            return role;
        }

        @Override
        public void onEvent(FrameEvent event) {
            events++;
        }
    }

    @Test
    void buildsRingsWithNamedThreadsAndRunsThem() throws TopologyException {
        SlotPool pool = new SlotPool(32, 256);
        Counting parse = new Counting("parse");
        Counting decrypt = new Counting("decrypt");
        Counting classify = new Counting("classify");
        Counting scatter = new Counting("scatter");
        Release release = new Release(pool, NanoClock.SYSTEM);
        Topology t = topology(new RingSpec("rx", 64, List.of(
                thread("rx-a", WaitMode.BACKOFF, -1, "parse", "decrypt"),
                thread("rx-b", WaitMode.BACKOFF, -1, "classify", "scatter", "release"))));
        List<String> named = new ArrayList<>();
        Function<ThreadSpec, ThreadFactory> factory = spec -> runnable -> {
            named.add(spec.name());
            Thread th = new Thread(runnable, "m13-" + spec.name());
            th.setDaemon(true);
            return th;
        };
        List<RingPipeline> rings = TopologyBuilder.build(t, List.of(parse, decrypt, classify, scatter, release), 2,
                factory);
        assertEquals(1, rings.size());
        assertEquals(List.of("rx-a", "rx-b"), named);
        try (RingPipeline rx = rings.get(0)) {
            assertEquals("ring rx: 64 events\n  [m13-rx-a] parse -> decrypt\n  [m13-rx-b] classify -> scatter -> "
                    + "release\n", rx.describe());
            rx.start();
            for (int i = 0; i < 1000; i++) {
                int slot;
                while ((slot = pool.alloc()) == SlotPool.NO_SLOT) {
                    Thread.onSpinWait();
                }
                rx.publish(slot, 0, 62, System.nanoTime());
            }
            assertTrue(rx.awaitDrained(30, TimeUnit.SECONDS));
        }
        assertEquals(1000, parse.events);
        assertEquals(1000, scatter.events);
        assertEquals(1000, release.released());
        assertEquals(0, pool.inUse());

        TopologyException dup = assertThrows(TopologyException.class, () -> TopologyBuilder.build(t,
                List.of(parse, new Counting("parse"), decrypt, classify, scatter, release), 2, factory));
        assertEquals("compact.yaml: stages: two stages with role 'parse'", dup.getMessage());
        TopologyException early = assertThrows(TopologyException.class, () -> TopologyBuilder.build(topology(
                new RingSpec("rx", 64, List.of(thread("a", WaitMode.YIELD, -1, "parse", "release", "decrypt",
                        "classify", "scatter")))), List.of(parse, decrypt, classify, scatter, release), 2, factory));
        assertEquals("compact.yaml: ring rx: ring rx: release on thread a is not the last stage of the ring",
                early.getMessage());
    }
}
