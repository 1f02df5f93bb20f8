package org.m13.daemon;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.List;
import org.m13.stage.RingPipeline;

/** What the hub and node daemons both need when they wire up and shut down. */
public final class Daemons {
    private Daemons() {
    }

    /**
     * The daemon's main thread after start-up: logs {@code stats} every {@code statsSeconds}
     * until SIGTERM or SIGINT, whose shutdown hook closes {@code resources} in order (the
     * daemon, then the host set-up, then the configuration with its key), each even if an
     * earlier one failed, then runs {@code afterStop} (the Mains flush the log there).
     *
     * @param log where the stats and stopping lines go
     */
    public static void runUntilSignal(java.util.function.Consumer<String> log, java.util.function.Supplier<String> stats,
            int statsSeconds, Runnable afterStop, AutoCloseable... resources) throws InterruptedException {
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.accept("stopping (signal)");
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    log.accept("while stopping: " + e);
                }
            }
            stopped.countDown();
            afterStop.run();
        }, "m13-shutdown"));
        while (!stopped.await(Math.max(1, statsSeconds), java.util.concurrent.TimeUnit.SECONDS)) {
            log.accept("stats: " + stats.get());
        }
    }

    /** The ring of the topology named {@code name}. */
    public static RingPipeline ring(List<RingPipeline> rings, String name) {
        for (RingPipeline r : rings) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalStateException("topology has no ring " + name);
    }

    /** 0.0.0.0, to bind a socket on every address. */
    public static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A random locally administered unicast MAC: the daemon's name on the wire for this run. */
    public static long localMac(SecureRandom random) {
        long mac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
        return (mac & ~0x0100_0000_0000L) | 0x0200_0000_0000L;
    }

    /** Joins {@code thread} for at most 5 s; an interrupt is kept on the caller. */
    public static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops every ring, even when one fails to stop.
     *
     * @return the first failure, or null
     */
    public static RuntimeException closeAll(List<RingPipeline> rings) {
        RuntimeException first = null;
        for (RingPipeline r : rings) {
            try {
                r.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        return first;
    }
}
