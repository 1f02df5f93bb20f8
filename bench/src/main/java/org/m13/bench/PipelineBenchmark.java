package org.m13.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;
import org.m13.stage.Classify;
import org.m13.stage.Decrypt;
import org.m13.stage.FusedHandler;
import org.m13.stage.MacPeerTable;
import org.m13.stage.NanoClock;
import org.m13.stage.Parse;
import org.m13.stage.Release;
import org.m13.stage.RingPipeline;
import org.m13.stage.Scatter;
import org.m13.stage.Sessions;
import org.m13.stage.Sink;
import org.m13.stage.SlotPool;
import org.m13.stage.Stage;
import org.m13.telemetry.DropReason;
import org.m13.telemetry.TelemetryWriter;
import org.m13.topology.AffinityThreads;
import org.m13.topology.RingSpec;
import org.m13.topology.ThreadSpec;
import org.m13.topology.Topology;
import org.m13.topology.TopologyBuilder;
import org.m13.topology.TopologyException;
import org.m13.topology.WaitMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The hub's receive ring in one JVM, in packets per second: the benchmark thread is the
 * link poller, publishing pre-sealed 1400-byte TUNNEL frames (it copies one into a free
 * slot, as the NIC would, and publishes it), and the ring runs parse, decrypt, classify,
 * scatter (to a counting tun sink) and release, built by {@link TopologyBuilder} with
 * {@link AffinityThreads}, as compact.yaml does it (ring of 4096, yield):
 * <ul>
 * <li>{@code compact}: all five stages fused on one thread ({@code rx-0});</li>
 * <li>{@code split}: parse and decrypt on {@code rx-0}, classify, scatter and release on {@code rx-1}.</li>
 * </ul>
 * {@code telemetry} exports every stage to a telemetry file (in a temporary directory).
 *
 * <p>The producer cycles through {@value #DISTINCT} sealed frames (seqs 1..4096); each
 * time it starts over, decrypt's replay window is replaced by a fresh one (as a rekey
 * would), one small allocation per 4096 frames. A publish waits (parking 1 µs at a time) for a free slot,
 * so the publish rate is the ring's rate; the backlog left at the end of an iteration
 * (at most 4096 frames) is drained outside the timing. Every frame must reach the tun
 * sink: a drop fails the trial.
 *
 * <p>On a shared or small machine the rate says more about the scheduler than about the
 * code, so each trial also prints the CPU time its threads spent per packet over the
 * measured iterations ({@code [cpu] ...} in the log): each consumer thread's, their sum,
 * and the producer's (copy and publish).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// AffinityThreads logs through Log4j: its API's simple logger, no backend needed (prepend, as
// ./m13 bench replaces the append list)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"},
        jvmArgsPrepend = {"-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory"})
@OperationsPerInvocation(PipelineBenchmark.BATCH)
public class PipelineBenchmark {
    static final int BATCH = 256;
    static final int DISTINCT = 4096;
    private static final int RING = 4096;
    private static final int BODY = 1400;

    @Param({"compact", "split"})
    public String topology;

    @Param({"false", "true"})
    public boolean telemetry;

    private SlotPool pool;
    private ByteBuffer sealed;
    private int length;
    private int next;
    private AesGcm key;
    private RingPipeline ring;
    private Path telemetryDir;
    private TelemetryWriter writer;
    private Release release;
    private long tunFrames;
    private long published;
    // CPU accounting over the measured iterations
    private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    private long[] consumerCpuAtStart;
    private long[] consumerCpu;
    private long producerCpuAtStart;
    private long producerCpu;
    private long processedAtStart;
    private long measuredPackets;

    /** One peer's key; the window starts over with the producer's seqs (see the class comment). */
    private static final class CyclingSessions implements Sessions {
        private final AesGcm key;
        private ReplayWindow window = new ReplayWindow();
        private long calls;

        CyclingSessions(AesGcm key) {
            this.key = key;
        }

        @Override
        public AesGcm openKey(int peer, int keyPhase) {
            return key;
        }

        @Override
        public ReplayWindow replayWindow(int peer, int keyPhase) {
            if (calls++ % DISTINCT == 0) {
                window = new ReplayWindow();
            }
            return window;
        }
    }

    private static ThreadSpec thread(String name, String... stages) {
        return new ThreadSpec(name, List.of(stages), WaitMode.YIELD, ThreadSpec.UNPINNED);
    }

    private Topology topology() {
        List<ThreadSpec> threads = switch (topology) {
            case "compact" -> List.of(thread("rx-0", "parse", "decrypt", "classify", "scatter", "release"));
            case "split" -> List.of(thread("rx-0", "parse", "decrypt"), thread("rx-1", "classify", "scatter", "release"));
            default -> throw new IllegalArgumentException("topology " + topology);
        };
        return new Topology("PipelineBenchmark " + topology, List.of(new RingSpec("rx", RING, threads)));
    }

    @Setup(Level.Trial)
    public void setUp() throws TopologyException, IOException {
        key = BenchFrames.key();
        SlotPool frames = new SlotPool(DISTINCT, SlotPool.DEFAULT_SLOT_BYTES);
        length = BenchFrames.sealAll(frames, key, BODY);
        sealed = frames.buffer();
        pool = new SlotPool(RING, SlotPool.DEFAULT_SLOT_BYTES);
        MacPeerTable peers = new MacPeerTable(1);
        if (peers.add(BenchFrames.NODE_MAC) != 0) {
            throw new IllegalStateException("the node is peer 0");
        }
        Sink tun = (event, buffer, bodyIndex, bodyLength) -> {
            tunFrames++;
            return DropReason.NONE;
        };
        release = new Release(pool, NanoClock.SYSTEM);
        List<Stage> stages = List.of(new Parse(pool, peers),
                new Decrypt(pool, new CyclingSessions(key), BenchFrames.RECEIVER), new Classify(pool),
                new Scatter(pool, tun, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED), release);
        ring = TopologyBuilder.build(topology(), stages, Runtime.getRuntime().availableProcessors(),
                new AffinityThreads()).get(0);
        if (telemetry) {
            telemetryDir = Files.createTempDirectory("m13-bench");
            writer = TelemetryWriter.create(telemetryDir.resolve("telemetry"), 8);
            for (int i = 0; i < ring.threadCount(); i++) {
                ring.handler(i).telemetry(writer, ring.name());
            }
        }
        consumerCpuAtStart = new long[ring.threadCount()];
        consumerCpu = new long[ring.threadCount()];
        ring.start();
    }

    @Setup(Level.Iteration)
    public void mark() {
        for (int i = 0; i < consumerCpuAtStart.length; i++) {
            consumerCpuAtStart[i] = cpu.getThreadCpuTime(ring.thread(i).getId());
        }
        producerCpuAtStart = cpu.getCurrentThreadCpuTime();
        processedAtStart = ring.processed();
    }

    @Benchmark
    public long publish() {
        for (int i = 0; i < BATCH; i++) {
            int slot;
            while ((slot = pool.alloc()) == SlotPool.NO_SLOT) {
                LockSupport.parkNanos(1_000); // the ring is 4096 frames behind: let its threads run
            }
            int from = next * SlotPool.DEFAULT_SLOT_BYTES + BenchFrames.OFFSET;
            pool.buffer().put(pool.base(slot) + BenchFrames.OFFSET, sealed, from, length);
            next = (next + 1) % DISTINCT;
            ring.publish(slot, BenchFrames.OFFSET, length, System.nanoTime());
        }
        published += BATCH;
        return published;
    }

    @TearDown(Level.Iteration)
    public void drain(IterationParams iteration) {
        long producer = cpu.getCurrentThreadCpuTime() - producerCpuAtStart;
        if (!ring.awaitDrained(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ring did not drain");
        }
        if (iteration.getType() == IterationType.MEASUREMENT) {
            for (int i = 0; i < consumerCpu.length; i++) {
                consumerCpu[i] += cpu.getThreadCpuTime(ring.thread(i).getId()) - consumerCpuAtStart[i];
            }
            producerCpu += producer;
            measuredPackets += ring.processed() - processedAtStart;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        StringBuilder line = new StringBuilder("[cpu] ").append(topology).append(" telemetry=").append(telemetry)
                .append(": ns of CPU per packet over ").append(measuredPackets).append(" packets:");
        long sum = 0;
        for (int i = 0; i < consumerCpu.length; i++) {
            sum += consumerCpu[i];
            line.append(' ').append(ring.thread(i).getName()).append(' ')
                    .append(Math.round((double) consumerCpu[i] / measuredPackets));
        }
        StringBuilder batches = new StringBuilder();
        for (int i = 0; i < ring.threadCount(); i++) {
            FusedHandler h = ring.handler(i);
            batches.append(' ').append(h.name()).append(' ')
                    .append(String.format(Locale.ROOT, "%.1f", (double) h.events() / Math.max(1, h.batches())))
                    .append(" (max ").append(h.maxBatch()).append(')');
        }
        line.append(", consumers ").append(Math.round((double) sum / measuredPackets)).append(", producer ")
                .append(Math.round((double) producerCpu / measuredPackets)).append("; frames per batch:")
                .append(batches);
        System.out.println(line);
        ring.close();
        key.close();
        if (writer != null) {
            writer.close(); // removes its file
            Files.deleteIfExists(telemetryDir);
        }
        if (release.dropped() != 0 || tunFrames != published || pool.inUse() != 0) {
            throw new IllegalStateException("published " + published + ", delivered " + tunFrames + ", drops "
                    + release.drops() + ", slots in use " + pool.inUse());
        }
    }
}
