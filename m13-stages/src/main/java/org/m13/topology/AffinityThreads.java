package org.m13.topology;

import java.util.BitSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import net.openhft.affinity.Affinity;
import net.openhft.affinity.AffinityLock;
import net.openhft.affinity.impl.NullAffinity;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The threads of a topology ({@link TopologyBuilder#build}'s thread factories): each is
 * named {@code m13-<spec name>} and, for a spec with a core, takes an OpenHFT
 * {@link AffinityLock} on that core inside the new thread before it runs its processor,
 * and releases it when the thread ends.
 *
 * <p>Pinning is best effort, so that a small machine still runs: when the core cannot be
 * taken (the machine has fewer cores, another thread or process holds it, the OS refused,
 * or the affinity library or JNA is unavailable) the thread runs unpinned and logs one
 * WARN line with the reason. A pinned thread logs one INFO line ({@code thread m13-rx-0
 * pinned to core 1}). Nothing is logged for a spec without a core ({@code core: any}).
 * {@link #placement(String)} keeps what happened to each thread, for the start-up print
 * and tests.
 *
 * <p>OpenHFT's locks are lock files shared by every JVM on the host, so two daemons do
 * not pin to one core. A specific core is taken exactly or not at all (OpenHFT's
 * {@code acquireLock(int[])}; its {@code acquireLock(int)} would quietly pick another
 * core, which the topology audit could not see).
 */
public final class AffinityThreads implements Function<ThreadSpec, ThreadFactory> {
    /** Thread names are this prefix and the spec's name. */
    public static final String PREFIX = "m13-";

    private static final Logger LOG = LogManager.getLogger(AffinityThreads.class);

    /** Pins the calling thread to a core, or says why it cannot. */
    @FunctionalInterface
    interface CoreLocks {
        /**
         * Pins the calling thread to {@code core}.
         *
         * @return what releases the core; the same thread runs it when it ends
         * @throws IllegalStateException whose message is the reason the core was not taken
         */
        Runnable pin(int core);
    }

    /**
     * Where a thread runs: {@code core} is the core it is pinned to, or
     * {@link ThreadSpec#UNPINNED}; {@code reason} says why it is unpinned (null when pinned).
     */
    public record Placement(String thread, int requestedCore, int core, String reason) {
        public boolean pinned() {
            return core != ThreadSpec.UNPINNED;
        }

        @Override
        public String toString() {
            if (pinned()) {
                return thread + " pinned to core " + core;
            }
            return requestedCore == ThreadSpec.UNPINNED ? thread + " unpinned (core: any)"
                    : thread + " unpinned, core " + requestedCore + " not taken: " + reason;
        }
    }

    private final CoreLocks locks;
    private final Map<String, Placement> placements = new ConcurrentHashMap<>();

    /** Pins with OpenHFT affinity. */
    public AffinityThreads() {
        this(AffinityThreads::openHft);
    }

    AffinityThreads(CoreLocks locks) {
        this.locks = Objects.requireNonNull(locks, "locks");
    }

    /** The factory for {@code spec}'s thread (not started; it pins itself when it starts). */
    @Override
    public ThreadFactory apply(ThreadSpec spec) {
        Objects.requireNonNull(spec, "spec");
        String name = PREFIX + spec.name();
        return processor -> {
            Objects.requireNonNull(processor, "processor");
            return new Thread(() -> run(spec, processor), name);
        };
    }

    /** What happened to the thread called {@code threadName} once it started, or null before. */
    public Placement placement(String threadName) {
        return placements.get(threadName);
    }

    /** Every started thread's placement, by thread name. */
    public Map<String, Placement> placements() {
        return Map.copyOf(placements);
    }

    private void run(ThreadSpec spec, Runnable processor) {
        String thread = Thread.currentThread().getName();
        Runnable release = null;
        Placement placement;
        if (!spec.pinned()) {
            placement = new Placement(thread, ThreadSpec.UNPINNED, ThreadSpec.UNPINNED, "core: any");
        } else {
            try {
                release = locks.pin(spec.core());
                placement = new Placement(thread, spec.core(), spec.core(), null);
                LOG.info("thread {} pinned to core {}", thread, spec.core());
            } catch (IllegalStateException e) {
                placement = unpinned(thread, spec.core(), e.getMessage());
            } catch (RuntimeException | LinkageError e) {
                // no JNA, a native library that does not load, a class that failed to initialise
                placement = unpinned(thread, spec.core(), "affinity library unavailable: " + e);
            }
        }
        placements.put(thread, placement);
        try {
            processor.run();
        } finally {
            if (release != null) {
                release.run();
            }
        }
    }

    private static Placement unpinned(String thread, int core, String reason) {
        LOG.warn("thread {} runs unpinned: core {} not taken: {}", thread, core, reason);
        return new Placement(thread, core, ThreadSpec.UNPINNED, reason);
    }

    /** Takes {@code core} for the calling thread with OpenHFT, exactly that core or none. */
    private static Runnable openHft(int core) {
        int cpus = AffinityLock.PROCESSORS;
        if (core < 0 || core >= cpus) {
            throw new IllegalStateException("this machine has " + cpus + " cores (0-" + (cpus - 1) + ")");
        }
        if (Affinity.getAffinityImpl() instanceof NullAffinity) {
            throw new IllegalStateException("OpenHFT affinity has no native binding here (JNA missing or unsupported OS)");
        }
        AffinityLock lock = AffinityLock.acquireLock(new int[] {core});
        if (!lock.isAllocated() || lock.cpuId() != core) {
            lock.release();
            throw new IllegalStateException("core " + core
                    + " is held by another thread or process (OpenHFT lock file) or cannot be reserved");
        }
        BitSet mask = Affinity.getAffinity();
        if (mask.cardinality() != 1 || !mask.get(core)) {
            lock.release();
            throw new IllegalStateException("the OS did not bind the thread to core " + core + " (its CPUs: " + mask + ")");
        }
        return lock::release;
    }
}
