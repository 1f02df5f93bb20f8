package org.m13.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A hub or node daemon started as its own process in a network namespace, exactly as
 * {@code ip netns exec <ns> ./m13 hub --config ...} would, with its log in a file.
 */
final class Daemon implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private Daemon(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Daemon start(String name, String namespace, String mainClass, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String flag : java.util.regex.Pattern.compile(" ").splitAsStream(System.getProperty("m13.child.jvm.flags", "")).toList()) {
            if (!flag.isBlank()) {
                command.add(flag);
            }
        }
        command.add("-Dm13.native.library=" + System.getProperty("m13.native.library"));
        command.add("-Dm13.native.bpf=" + System.getProperty("m13.native.bpf"));
        command.add("-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager");
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new Daemon(name, p, log);
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** How often {@code text} appears in the log so far. */
    int count(String text) {
        String all = log();
        int n = 0;
        for (int at = all.indexOf(text); at >= 0; at = all.indexOf(text, at + 1)) {
            n++;
        }
        return n;
    }

    /** Waits until {@code text} appears at least {@code times} times; fails with the log if not. */
    long awaitLog(String text, int times, long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (count(text) < times) {
            if (!process.isAlive()) {
                fail(name + " exited (" + process.exitValue() + ") before logging '" + text + "':\n" + log());
            }
            if (System.nanoTime() > deadline) {
                fail(name + " did not log '" + text + "' x" + times + " within " + timeoutMillis + " ms:\n" + log());
            }
            Thread.sleep(50);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself (a refused start); its exit code, or fails with the log. */
    int awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            fail(name + " still runs after " + timeoutMillis + " ms:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGTERM, as systemd stops it; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(name + " did not stop within 20 s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: a crash, nothing runs in the daemon. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
