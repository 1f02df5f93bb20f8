package org.m13.sys;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Network namespaces, veth pairs and namespace-bound threads for root tests. Every
 * name starts with {@code m13t-} (links with {@code m13t}) and carries a random tag, so
 * parallel runs never collide; {@link #close()} removes everything it created, in
 * reverse order, even after a failure (deleting a namespace deletes its links).
 */
final class NetnsFixture implements AutoCloseable {
    private static final Duration TIMEOUT = new Duration(10, TimeUnit.SECONDS);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final String tag;
    private final Deque<String> namespaces = new ArrayDeque<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    NetnsFixture() {
        byte[] bytes = new byte[3];
        RANDOM.nextBytes(bytes);
        this.tag = HexFormat.of().formatHex(bytes);
    }

    /** Skips the calling test, with the reason, unless the JVM runs as root with the native library. */
    static void assumeRootAndNative() {
        assumeTrue(Native.isAvailable(), () -> "native library unavailable: " + Native.unavailabilityCause());
        int uid = effectiveUid();
        assumeTrue(uid == 0, () -> "needs root (network namespaces, TUN, XDP); running as uid " + uid);
    }

    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(WHITESPACE.splitAsStream(line).skip(2).findFirst().orElse("-1"));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** A short unique name for a link ({@code m13t<tag><suffix>}, at most 15 bytes). */
    String link(String suffix) {
        String name = "m13t" + tag + suffix;
        if (name.length() > Tun.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("link name too long: " + name);
        }
        return name;
    }

    /**
     * Creates a namespace {@code m13t-<tag>-<role>} with lo up and IPv6 off, so that
     * no router solicitations or MLD reports show up among the test's packets.
     */
    String namespace(String role) {
        String name = "m13t-" + tag + "-" + role;
        ip("netns", "add", name);
        namespaces.push(name);
        ip("-n", name, "link", "set", "lo", "up");
        try {
            var unused = callIn(name, () -> {
                for (String scope : new String[] {"all", "default"}) {
                    Path sysctl = Path.of("/proc/sys/net/ipv6/conf", scope, "disable_ipv6");
                    if (Files.exists(sysctl)) {
                        Files.writeString(sysctl, "1");
                    }
                }
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot disable IPv6 in " + name, e);
        }
        return name;
    }

    /** Creates a one-queue veth pair with one end in each namespace, both up, no addresses yet. */
    void veth(String nameA, String nsA, String nameB, String nsB) {
        ip("link", "add", nameA, "numtxqueues", "1", "numrxqueues", "1", "netns", nsA,
                "type", "veth", "peer", "name", nameB, "numtxqueues", "1", "numrxqueues", "1", "netns", nsB);
        ip("-n", nsA, "link", "set", nameA, "up");
        ip("-n", nsB, "link", "set", nameB, "up");
    }

    /** A single platform thread that lives in namespace {@code ns}; shut down by {@link #close()}. */
    ExecutorService threadIn(String ns) {
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(() -> {
                Netns.enter(ns);
                task.run();
            }, "netns-" + ns);
            thread.setDaemon(true);
            return thread;
        });
        executors.add(executor);
        return executor;
    }

    /** Runs {@code task} on a fresh thread in {@code ns} and waits for its result. */
    <T> T callIn(String ns, Callable<T> task) throws Exception {
        ExecutorService executor = threadIn(ns);
        return await(executor.submit(task));
    }

    static <T> T await(java.util.concurrent.Future<T> future) throws Exception {
        try {
            return future.get(TIMEOUT.amount, TIMEOUT.unit);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        }
    }

    /** Runs {@code ip args...}, failing with its output unless it exits 0; returns stdout. */
    @CanIgnoreReturnValue
    static String ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        return run(command);
    }

    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            boolean done = process.waitFor(TIMEOUT.amount, TIMEOUT.unit);
            if (!done) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue()
                        + ": " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    @Override
    public void close() {
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
        }
        for (ExecutorService executor : executors) {
            try {
                if (!executor.awaitTermination(TIMEOUT.amount, TIMEOUT.unit)) {
                    System.err.println("NetnsFixture: a namespace thread did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IllegalStateException failure = null;
        while (!namespaces.isEmpty()) {
            String ns = namespaces.pop();
            try {
                ip("netns", "delete", ns);
            } catch (IllegalStateException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private record Duration(long amount, TimeUnit unit) {
    }
}
