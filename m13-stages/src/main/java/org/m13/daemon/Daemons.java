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

    /**
     * The FEC and feedback part of a daemon's stats line (what `m13 demo --satellite`
     * and the bench harness read):
     * {@code fec-out sources=S repairs=R k=K m=M; fec-in recovered=C unrecoverable=U order held=H late=L
     * given-up=G; feedback sent=F loss=P%},
     * then the pacer's ceiling ({@code link.rate-mbit}), the rate it follows now (the
     * node's to the hub; the hub's slowest), the cuts standing queues made and the frames that waited.
     *
     * @param fecOut the sender, or null with FEC off
     * @param peer whose reported loss to show (the node: the hub), or -1 for none
     */
    public static String fecStats(FecOutbound fecOut, LinkPacer pacer, TunWriter tunWriter, FeedbackSender feedbackOut,
            LinkFeedback feedback, int peer) {
        StringBuilder s = new StringBuilder();
        if (fecOut == null) {
            s.append("fec-out off");
        } else {
            s.append("fec-out sources=").append(fecOut.sources()).append(" repairs=").append(fecOut.repairs())
                    .append(" k=").append(fecOut.lastK()).append(" m=").append(fecOut.lastM());
            if (fecOut.repairsSkipped() > 0) {
                s.append(" skipped=").append(fecOut.repairsSkipped());
            }
        }
        s.append("; fec-in recovered=").append(tunWriter.recovered()).append(" unrecoverable=")
                .append(tunWriter.fec().unrecoverable());
        TunReorder order = tunWriter.reorder();
        if (order != null) {
            s.append(" order held=").append(order.reordered()).append(" late=").append(order.late())
                    .append(" given-up=").append(order.givenUp());
        }
        s.append("; feedback sent=").append(feedbackOut.sent());
        if (peer >= 0) {
            s.append(" loss=").append(String.format(java.util.Locale.ROOT, "%.2f", feedback.lossPpm(peer) / 1e4))
                    .append('%');
        }
        if (pacer == null) {
            s.append("; pacer off");
        } else {
            s.append("; pacer ").append(pacer.bitsPerSecond() / 1_000_000).append(" Mbit/s");
            s.append(String.format(java.util.Locale.ROOT, peer >= 0 ? " now %.1f" : " slowest now %.1f",
                    (peer >= 0 ? pacer.rate(peer) : pacer.slowestRate()) / 1e6));
            s.append(" cuts=").append(pacer.cuts()).append(", frames waited ").append(pacer.paced());
        }
        return s.toString();
    }
}
