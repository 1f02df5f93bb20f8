package org.m13.cli;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.m13.linkem.Counter;
import org.m13.linkem.Counters;
import org.m13.linkem.GilbertElliott;
import org.m13.linkem.LinkParams;
import org.m13.linkem.Linkem;
import org.m13.linkem.Relay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code m13 linkem}: the seeded link emulator between two interfaces (docs/LINKEM.md).
 * Symmetric options set both directions; {@code --a-to-b-*} and {@code --b-to-a-*}
 * override one. Prints both directions' counters once a second and on exit
 * (SIGINT, SIGTERM or {@code --duration-s}); exit 0 then, 1 when it cannot start
 * or the relay thread fails.
 */
@Command(name = "linkem", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Seeded link emulator (this kernel has no netem): relays every frame between",
            "interfaces A and B (AF_PACKET) with per-direction delay, jitter, random and",
            "Gilbert-Elliott loss, rate limit and drop-tail queue. See docs/LINKEM.md."})
final class LinkemCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--netns", paramLabel = "NAME", description = "run in this network namespace (ip netns)")
    String netns;

    @Option(names = "--a", required = true, paramLabel = "IF", description = "interface of side A")
    String a;

    @Option(names = "--b", required = true, paramLabel = "IF", description = "interface of side B")
    String b;

    @Option(names = "--delay-ms", paramLabel = "MS", description = "one-way delay, both directions (default 0)")
    Double delayMs;

    @Option(names = "--jitter-ms", paramLabel = "MS",
            description = "jitter: delay +/- uniform [0, MS], both directions (default 0)")
    Double jitterMs;

    @Option(names = "--reorder", negatable = true,
            description = "let jitter reorder frames (default: order kept, frames never overtake)")
    Boolean reorder;

    @Option(names = "--loss", paramLabel = "P", description = "random loss, fraction or percent (0.02 or 2%%)")
    String loss;

    @Option(names = "--ge", paramLabel = "p,r[,h,k]",
            description = "Gilbert-Elliott loss: p=P(good->bad) r=P(bad->good) h=loss in good k=loss in bad"
                + " (p,r alone: h=0 k=1)")
    String ge;

    @Option(names = "--rate-mbit", paramLabel = "MBIT", description = "rate limit in Mbit/s (default 0: unlimited)")
    Double rateMbit;

    @Option(names = "--queue", paramLabel = "FRAMES",
            description = "queue limit in frames waiting for the rate limiter (default 1000, drop-tail)")
    Integer queue;

    @Option(names = "--a-to-b-delay-ms", paramLabel = "MS", description = "A->B only: overrides --delay-ms") Double abDelayMs;
    @Option(names = "--a-to-b-jitter-ms", paramLabel = "MS", description = "A->B only: overrides --jitter-ms") Double abJitterMs;
    @Option(names = "--a-to-b-reorder", negatable = true, description = "A->B only: overrides --reorder") Boolean abReorder;
    @Option(names = "--a-to-b-loss", paramLabel = "P", description = "A->B only: overrides --loss") String abLoss;
    @Option(names = "--a-to-b-ge", paramLabel = "p,r[,h,k]", description = "A->B only: overrides --ge") String abGe;
    @Option(names = "--a-to-b-rate-mbit", paramLabel = "MBIT", description = "A->B only: overrides --rate-mbit") Double abRateMbit;
    @Option(names = "--a-to-b-queue", paramLabel = "FRAMES", description = "A->B only: overrides --queue") Integer abQueue;
    @Option(names = "--b-to-a-delay-ms", paramLabel = "MS", description = "B->A only: overrides --delay-ms") Double baDelayMs;
    @Option(names = "--b-to-a-jitter-ms", paramLabel = "MS", description = "B->A only: overrides --jitter-ms") Double baJitterMs;
    @Option(names = "--b-to-a-reorder", negatable = true, description = "B->A only: overrides --reorder") Boolean baReorder;
    @Option(names = "--b-to-a-loss", paramLabel = "P", description = "B->A only: overrides --loss") String baLoss;
    @Option(names = "--b-to-a-ge", paramLabel = "p,r[,h,k]", description = "B->A only: overrides --ge") String baGe;
    @Option(names = "--b-to-a-rate-mbit", paramLabel = "MBIT", description = "B->A only: overrides --rate-mbit") Double baRateMbit;
    @Option(names = "--b-to-a-queue", paramLabel = "FRAMES", description = "B->A only: overrides --queue") Integer baQueue;

    @Option(names = "--seed", paramLabel = "N",
            description = "seed of every random stream (default: random, printed so the run can be repeated)")
    Long seed;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "" + Linkem.Config.DEFAULT_SLOTS,
            description = "frame slots per direction, in flight plus queued (default ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--max-frame", paramLabel = "BYTES", defaultValue = "" + Linkem.Config.DEFAULT_MAX_FRAME,
            description = "largest frame relayed; larger ones are dropped and counted (default ${DEFAULT-VALUE})")
    int maxFrame;

    @Option(names = "--qdisc-bypass", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "send straight to the driver, skipping the qdisc (default: on)")
    boolean qdiscBypass;

    @Option(names = "--duration-s", paramLabel = "S", description = "stop after S seconds (default: until a signal)")
    Double durationS;

    private volatile boolean oversizeHinted;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LinkParams aToB = direction(abDelayMs, abJitterMs, abReorder, abLoss, abGe, abRateMbit, abQueue);
        LinkParams bToA = direction(baDelayMs, baJitterMs, baReorder, baLoss, baGe, baRateMbit, baQueue);
        long s = seed != null ? seed : new SecureRandom().nextLong();
        Linkem.Config config = new Linkem.Config(netns, a, b, aToB, bToA, s, slots, maxFrame, qdiscBypass);
        Linkem linkem;
        try {
            linkem = Linkem.start(config);
        } catch (RuntimeException e) {
            err.println("m13 linkem: " + e.getMessage());
            err.flush();
            return 1;
        }
        out.printf("m13 linkem: %s <-> %s%s, seed %d (repeat with --seed %d)%n", a, b,
                netns == null ? "" : " in netns " + netns, s, s);
        out.println("  a->b " + aToB.describe());
        out.println("  b->a " + bToA.describe());
        out.flush();

        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean printedFinal = new AtomicBoolean();
        long start = System.nanoTime();
        Runnable finish = () -> {
            if (printedFinal.compareAndSet(false, true)) {
                RuntimeException failure = null;
                try {
                    linkem.close();
                } catch (RuntimeException e) {
                    failure = e;
                }
                print(out, "final", linkem, start);
                if (failure != null) {
                    err.println("m13 linkem: " + failure.getMessage()
                            + (failure.getCause() == null ? "" : ": " + failure.getCause().getMessage()));
                    err.flush();
                }
            }
        };
        // SIGINT/SIGTERM: stop the relay, print the final counters, exit 0 (not 130/143).
        Thread hook = new Thread(() -> {
            done.countDown();
            finish.run();
            Runtime.getRuntime().halt(0);
        }, "linkem-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long deadline = durationS == null ? Long.MAX_VALUE : start + (long) (durationS * 1e9);
        try {
            long next = start + 1_000_000_000L;
            while (!linkem.isDone()) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                long wait = Math.min(next, deadline) - now;
                if (done.await(Math.max(1, wait), TimeUnit.NANOSECONDS)) {
                    return 0; // the hook prints the final line
                }
                if (System.nanoTime() >= next) {
                    print(out, "", linkem, start);
                    next += 1_000_000_000L;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean failed = linkem.isDone() && System.nanoTime() < deadline;
        finish.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs and finds the work done
        }
        return failed ? 1 : 0;
    }

    private void print(PrintWriter out, String label, Linkem linkem, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int d = 0; d < 2; d++) {
            Counters c = linkem.counters(d);
            out.printf(Locale.ROOT, "linkem %8.1fs %-5s %s %s queued %d%n", seconds, label,
                    d == Relay.A ? "a->b" : "b->a", c.format(), linkem.relay().queued(d));
            if (c.get(Counter.OVERSIZE) > 0 && !oversizeHinted) {
                oversizeHinted = true;
                PrintWriter err = spec.commandLine().getErr();
                err.println("m13 linkem: frames larger than --max-frame " + maxFrame + " (or UDP GSO super-frames)"
                        + " were dropped: raise --max-frame, or turn segmentation offload off on the sending"
                        + " interfaces (ethtool -K IF tso off gso off)");
                err.flush();
            }
        }
        out.flush();
    }

    private LinkParams direction(Double delay, Double jitter, Boolean order, String lossText, String geText,
            Double rate, Integer limit) {
        CommandLine cli = spec.commandLine();
        try {
            double d = delay != null ? delay : delayMs != null ? delayMs : 0;
            double j = jitter != null ? jitter : jitterMs != null ? jitterMs : 0;
            boolean r = order != null ? order : reorder != null && reorder;
            String l = lossText != null ? lossText : loss;
            String g = geText != null ? geText : ge;
            double mbit = rate != null ? rate : rateMbit != null ? rateMbit : 0;
            int q = limit != null ? limit : queue != null ? queue : LinkParams.DEFAULT_QUEUE_LIMIT;
            if (!(d >= 0 && j >= 0 && mbit >= 0)) {
                throw new IllegalArgumentException("delay, jitter and rate must be >= 0");
            }
            return new LinkParams(Math.round(d * 1e6), Math.round(j * 1e6), r,
                    l == null ? 0 : LinkParams.parseProbability(l), g == null ? null : GilbertElliott.parse(g),
                    Math.round(mbit * 1e6), q);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage(), e);
        }
    }
}
