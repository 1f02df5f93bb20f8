package org.m13.linkem;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.m13.sys.Netns;

/**
 * The emulator as an embeddable, closeable service: a platform thread named
 * {@code linkem-relay} enters the network namespace (if one is named), opens both
 * AF_PACKET sockets there and runs the {@link Relay} until {@link #close}. The CLI
 * and the tests run this same class.
 */
public final class Linkem implements AutoCloseable {
    /** Everything the emulator needs; {@code netns} null means the caller's namespace. */
    public record Config(String netns, String interfaceA, String interfaceB, LinkParams aToB, LinkParams bToA,
            long seed, int slots, int maxFrameBytes, boolean qdiscBypass) {
        public static final int DEFAULT_SLOTS = 4096;
        public static final int DEFAULT_MAX_FRAME = 2048;
    }

    private static final long START_TIMEOUT_SECONDS = 10;

    private final Thread thread;
    private final Relay relay;
    private final CompletableFuture<Void> finished;

    private Linkem(Thread thread, Relay relay, CompletableFuture<Void> finished) {
        this.thread = thread;
        this.relay = relay;
        this.finished = finished;
    }

    /** Starts the relay thread and returns once both sockets are open (or throws why they are not). */
    public static Linkem start(Config config) {
        CompletableFuture<Relay> started = new CompletableFuture<>();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                if (config.netns() != null) {
                    Netns.enter(config.netns());
                }
                try (PacketPorts ports = PacketPorts.open(config.interfaceA(), config.interfaceB(),
                        config.qdiscBypass())) {
                    Relay relay = new Relay(ports, System::nanoTime, config.aToB(), config.bToA(), config.seed(),
                            true, config.maxFrameBytes(), config.slots());
                    started.complete(relay);
                    relay.run();
                }
                finished.complete(null);
            } catch (RuntimeException | Error e) {
                started.completeExceptionally(e);
                finished.completeExceptionally(e);
            }
        }, "linkem-relay");
        thread.setDaemon(true);
        thread.start();
        try {
            return new Linkem(thread, started.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS), finished);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("linkem: relay did not start within " + START_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting linkem", e);
        }
    }

    /** The relay thread (tests measure its allocations). */
    Thread thread() {
        return thread;
    }

    public Relay relay() {
        return relay;
    }

    /** Counters of direction 0 (A→B) or 1 (B→A). */
    public Counters counters(int direction) {
        return relay.direction(direction).counters();
    }

    /** Whether the relay thread ended (normally after close, or because it failed). */
    public boolean isDone() {
        return finished.isDone();
    }

    /** Stops the relay, waits for its thread (which closes the sockets) and rethrows what killed it, if anything. */
    @Override
    public void close() {
        relay.stop();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            if (thread.isAlive()) {
                throw new IllegalStateException("linkem: relay thread did not stop within 5 s");
            }
            finished.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("linkem relay failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("linkem: relay did not report its end", e);
        }
    }
}
