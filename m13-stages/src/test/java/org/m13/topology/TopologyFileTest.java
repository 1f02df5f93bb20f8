package org.m13.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.config.ConfigException;

class TopologyFileTest {
    private static final Set<String> STAGES =
            Set.of("parse", "decrypt", "classify", "scatter", "release", "seal", "link-tx", "tx-release");
    private static final Path SHIPPED = Path.of(System.getProperty("user.dir")).resolveSibling("config")
            .resolve("topology");

    @TempDir
    Path dir;

    private ConfigException refusal(String yaml, int cores) throws IOException {
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> TopologyFile.load(file, STAGES, cores, ""));
    }

    private static final String GOOD = """
            rings:
              - name: rx
                size: 64
                threads:
                  - name: rx-0
                    wait: yield
                    stages: [parse, decrypt, classify, scatter, release]
              - name: tx
                size: 64
                threads:
                  - name: tx-0
                    wait: yield
                    stages: [seal, link-tx, tx-release]
            """;

    @Test
    void bothShippedTopologiesLoadAndValidate() throws ConfigException {
        Topology compact = TopologyFile.load(SHIPPED.resolve("compact.yaml"), STAGES, 2, "");
        assertEquals(List.of("rx", "tx"), compact.rings().stream().map(RingSpec::name).toList());
        assertTrue(compact.rings().stream().flatMap(r -> r.threads().stream()).noneMatch(t -> t.waitMode().spins()));
        Topology dedicated = TopologyFile.load(SHIPPED.resolve("dedicated.yaml"), STAGES, 8, "");
        assertEquals(6, dedicated.rings().stream().mapToInt(r -> r.threads().size()).sum());
        // and dedicated is refused where its cores do not exist, naming the line of the thread
        ConfigException small = assertThrows(ConfigException.class,
                () -> TopologyFile.load(SHIPPED.resolve("dedicated.yaml"), STAGES, 2, ""));
        assertTrue(small.getMessage().contains("dedicated.yaml:"), small.getMessage());
        assertTrue(small.getMessage().contains("does not exist"), small.getMessage());
    }

    @Test
    void anUnknownStageIsNamedWithTheThreadsLine() throws IOException {
        ConfigException e = refusal(GOOD.replace("[seal, link-tx, tx-release]",
                "[seal, link-tx, tx-release, teleport]"), 2);
        assertEquals(11, e.line());
        assertTrue(e.getMessage().contains("ring tx, thread tx-0: unknown stage 'teleport'"), e.getMessage());
    }

    @Test
    void aStagePlacedTwiceOrNeverIsRefused() throws IOException {
        ConfigException twice = refusal(GOOD.replace("[seal, link-tx, tx-release]", "[seal, link-tx, tx-release, parse]"), 2);
        assertTrue(twice.getMessage().contains("stage 'parse' placed twice"), twice.getMessage());
        ConfigException never = refusal(GOOD.replace("[seal, link-tx, tx-release]", "[seal, tx-release]"), 2);
        assertTrue(never.getMessage().endsWith("stages: never placed: [link-tx]"), never.getMessage());
    }

    @Test
    void spinningThreadsMustFitTheCores() throws IOException {
        String spinning = GOOD.replace("wait: yield", "wait: spin");
        ConfigException e = refusal(spinning, 1);
        assertTrue(e.getMessage().contains("2 spinning threads but only 1 cores"), e.getMessage());
        String sameCore = spinning.replace("wait: spin\n", "wait: spin\n        core: 1\n");
        ConfigException shared = refusal(sameCore, 2);
        assertTrue(shared.getMessage().contains("spins on core 1, as thread rx-0 does"), shared.getMessage());
        assertEquals(12, shared.line());
    }

    @Test
    void badValuesNameTheirKeyAndLine() throws IOException {
        ConfigException wait = refusal(GOOD.replace("wait: yield\n        stages: [seal",
                "wait: sleepy\n        stages: [seal"), 2);
        assertEquals("rings[1].threads[0].wait", wait.key());
        assertEquals(12, wait.line());
        assertTrue(wait.getMessage().contains("unknown wait 'sleepy' (spin, yield, backoff or block)"));
        ConfigException core = refusal(GOOD.replace("wait: yield\n", "wait: yield\n        core: seven\n"), 2);
        assertEquals("rings[0].threads[0].core", core.key());
        ConfigException unknown = refusal(GOOD.replace("size: 64\n", "size: 64\n    colour: blue\n"), 2);
        assertTrue(unknown.getMessage().contains("unknown key 'colour'"), unknown.getMessage());
        assertEquals(4, unknown.line());
        ConfigException size = refusal(GOOD.replace("size: 64", "size: 100"), 2);
        assertTrue(size.getMessage().contains("size 100 is not a power of two"), size.getMessage());
    }

    @Test
    void isolatedCoresAreTakenInOrder() throws Exception {
        Path file = dir.resolve("iso.yaml");
        Files.writeString(file, GOOD.replace("wait: yield\n", "wait: yield\n        core: isolated\n"));
        Topology t = TopologyFile.load(file, STAGES, 8, "5-6");
        assertEquals(List.of(5, 6), t.rings().stream().flatMap(r -> r.threads().stream()).map(ThreadSpec::core)
                .toList());
        ConfigException none = assertThrows(ConfigException.class, () -> TopologyFile.load(file, STAGES, 8, ""));
        assertTrue(none.getMessage().contains("no isolated core left"), none.getMessage());
        assertEquals(List.of(2, 3, 4, 5, 7), TopologyFile.parseCpuList("2-5,7"));
    }
}
