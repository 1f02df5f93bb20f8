package org.m13.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import org.m13.stage.FusedHandler;
import org.m13.stage.RingPipeline;
import org.m13.stage.Stage;

/**
 * The one place that puts stages on threads: validates a {@link Topology} against the
 * stages built and the machine, then makes one {@link RingPipeline} per ring with a
 * {@link FusedHandler} per thread. Threads come from a factory given the thread's spec,
 * which names it (and will take its affinity lock inside it).
 */
public final class TopologyBuilder {
    /** The link-to-tunnel ring, the only single-producer one. */
    public static final String RX_RING = "rx";

    private TopologyBuilder() {
    }

    /**
     * Builds every ring of {@code topology} (not started).
     *
     * @param stages every stage the daemon built; each is placed exactly once, by {@link Stage#role()}
     * @param cores cores of the machine
     * @param threads a thread factory per thread spec
     * @throws TopologyException if the topology does not validate
     */
    public static List<RingPipeline> build(Topology topology, List<Stage> stages, int cores,
            Function<ThreadSpec, ThreadFactory> threads) throws TopologyException {
        Map<String, Stage> byRole = new HashMap<>();
        for (Stage s : stages) {
            if (byRole.putIfAbsent(s.role(), s) != null) {
                throw new TopologyException(topology.source(), "stages", "two stages with role '" + s.role() + "'");
            }
        }
        topology.validate(byRole.keySet(), cores);
        List<RingPipeline> rings = new ArrayList<>();
        for (RingSpec ring : topology.rings()) {
            FusedHandler[] handlers = new FusedHandler[ring.threads().size()];
            for (int i = 0; i < handlers.length; i++) {
                ThreadSpec thread = ring.threads().get(i);
                Stage[] fused = new Stage[thread.stages().size()];
                for (int s = 0; s < fused.length; s++) {
                    fused[s] = byRole.get(thread.stages().get(s));
                }
                handlers[i] = new FusedHandler(thread.name(), fused);
            }
            ThreadSpec first = ring.threads().get(0);
            int[] next = {0};
            ThreadFactory perThread = runnable -> threads.apply(ring.threads().get(next[0]++)).newThread(runnable);
            try {
                // rx has one producer (the link poller); every other ring several (tx: tun-read, control)
                rings.add(RX_RING.equals(ring.name())
                        ? RingPipeline.singleProducer(ring.name(), ring.size(), first.waitMode().strategy(), perThread,
                                handlers)
                        : RingPipeline.multiProducer(ring.name(), ring.size(), first.waitMode().strategy(), perThread,
                                handlers));
            } catch (IllegalArgumentException e) {
                throw new TopologyException(topology.source(), "ring " + ring.name(), e.getMessage());
            }
        }
        return rings;
    }
}
