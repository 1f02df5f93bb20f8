package org.m13.topology;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rings, their threads and the stages on each thread, as read from {@code source}.
 *
 * <p>{@link #validate} is the start-up audit; it refuses, naming source and place:
 * a ring with no consumer thread; a ring size that is not a power of two; threads of one
 * ring that wait differently (a Disruptor ring has one wait strategy for all its
 * consumers); a thread with no stage; a thread name used twice; an unknown stage; a
 * stage placed twice; a stage never placed; a core that does not exist; two spinning
 * threads on one core; more spinning threads than cores.
 */
public record Topology(String source, List<RingSpec> rings) {
    public Topology {
        Objects.requireNonNull(source, "source");
        rings = List.copyOf(rings);
    }

    /**
     * Checks the topology against the stages that exist and the machine.
     *
     * @param stages role names of every stage the daemon built; each must be placed exactly once
     * @param cores cores of the machine (pinned cores must be below it)
     * @throws TopologyException at the first problem found
     */
    public void validate(Set<String> stages, int cores) throws TopologyException {
        Map<String, String> placed = new HashMap<>();
        Set<String> threadNames = new TreeSet<>();
        Map<Integer, String> spinningOn = new HashMap<>();
        int spinning = 0;
        for (RingSpec ring : rings) {
            String r = "ring " + ring.name();
            if (ring.threads().isEmpty()) {
                throw new TopologyException(source, r, "no thread consumes this ring");
            }
            if (ring.size() < 1 || Integer.bitCount(ring.size()) != 1) {
                throw new TopologyException(source, r, "size " + ring.size() + " is not a power of two");
            }
            WaitMode ringWait = ring.threads().get(0).waitMode();
            for (ThreadSpec thread : ring.threads()) {
                String t = r + ", thread " + thread.name();
                if (!threadNames.add(thread.name())) {
                    throw new TopologyException(source, t, "thread name used twice");
                }
                if (thread.waitMode() != ringWait) {
                    throw new TopologyException(source, t, "waits '" + thread.waitMode().label() + "' but thread "
                            + ring.threads().get(0).name() + " of the same ring waits '" + ringWait.label()
                            + "' (one wait strategy per ring)");
                }
                if (thread.stages().isEmpty()) {
                    throw new TopologyException(source, t, "runs no stage");
                }
                for (String stage : thread.stages()) {
                    if (!stages.contains(stage)) {
                        throw new TopologyException(source, t, "unknown stage '" + stage + "' (known: "
                                + new TreeSet<>(stages) + ")");
                    }
                    String earlier = placed.putIfAbsent(stage, thread.name());
                    if (earlier != null) {
                        throw new TopologyException(source, t, "stage '" + stage + "' placed twice (also on thread "
                                + earlier + ")");
                    }
                }
                if (thread.pinned() && (thread.core() < 0 || thread.core() >= cores)) {
                    throw new TopologyException(source, t, "core " + thread.core() + " does not exist (cores 0.."
                            + (cores - 1) + ")");
                }
                if (thread.waitMode().spins()) {
                    spinning++;
                    if (thread.pinned()) {
                        String other = spinningOn.putIfAbsent(thread.core(), thread.name());
                        if (other != null) {
                            throw new TopologyException(source, t, "spins on core " + thread.core()
                                    + ", as thread " + other + " does");
                        }
                    }
                }
            }
        }
        if (spinning > cores) {
            throw new TopologyException(source, "threads", spinning + " spinning threads but only " + cores
                    + " cores: spinning threads starve the ones they wait for; use yield or backoff");
        }
        Set<String> never = new TreeSet<>(stages);
        never.removeAll(placed.keySet());
        if (!never.isEmpty()) {
            throw new TopologyException(source, "stages", "never placed: " + never);
        }
    }
}
