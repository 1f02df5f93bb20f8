package org.m13.stage;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One ring and the threads that consume it, in a line: thread {@code i} runs a
 * {@link FusedHandler} (stages back to back) and sees an event only after thread
 * {@code i - 1} has finished it, so the stages of a chain can be split over threads
 * without changing them. With one handler this is the compact case: every stage on
 * one thread. Built on Disruptor 4.0.0's {@link BatchEventProcessorBuilder}; the ring
 * waits for the last thread before it reuses an event.
 *
 * <p>The RX ring is single-producer (only the link poller publishes), the TX ring
 * multi-producer; both publish through {@link #tryPublish} or {@link #publish}, which
 * fill a pre-allocated event in place (no translator objects, no allocation).
 *
 * <p>Consumer threads come from an injected {@link ThreadFactory}, which names them
 * (and later takes their affinity lock inside them). Errors that escape a handler (only
 * {@link Error}s: handlers catch stage exceptions) are counted and the processor keeps
 * running.
 */
public final class RingPipeline implements AutoCloseable {
    private final String name;
    private final RingBuffer<FrameEvent> ring;
    private final FusedHandler[] handlers;
    private final List<BatchEventProcessor<FrameEvent>> processors;
    private final Thread[] threads;
    private final EscapedErrors escaped = new EscapedErrors();
    private boolean started;
    /** When a consumer wants a timer tick (nanoTime), or Long.MAX_VALUE for none. */
    private final AtomicLong wakeAt = new AtomicLong(Long.MAX_VALUE);
    private long timers;

    private RingPipeline(String name, RingBuffer<FrameEvent> ring, ThreadFactory threadFactory,
            FusedHandler... handlers) {
        if (handlers.length == 0) {
            throw new IllegalArgumentException("ring " + name + " has no consumer");
        }
        checkPlacement(name, handlers);
        this.name = Objects.requireNonNull(name, "name");
        this.ring = ring;
        this.handlers = handlers.clone();
        this.threads = new Thread[handlers.length];
        List<BatchEventProcessor<FrameEvent>> built = new ArrayList<>(handlers.length);
        BatchEventProcessorBuilder builder = new BatchEventProcessorBuilder();
        for (int i = 0; i < handlers.length; i++) {
            SequenceBarrier barrier = i == 0 ? ring.newBarrier() : ring.newBarrier(built.get(i - 1).getSequence());
            BatchEventProcessor<FrameEvent> processor =
                    builder.build(ring, barrier, Objects.requireNonNull(handlers[i], "handler"));
            processor.setExceptionHandler(escaped);
            built.add(processor);
            threads[i] = Objects.requireNonNull(threadFactory.newThread(processor), "thread factory returned null");
        }
        this.processors = List.copyOf(built);
        ring.addGatingSequences(processors.get(handlers.length - 1).getSequence());
    }

    /**
     * A single-producer ring of {@code ringSize} events (a power of two) consumed by
     * {@code handlers} in line, one thread each from {@code threads}. Call {@link #start()}
     * to run it.
     */
    public static RingPipeline singleProducer(String name, int ringSize, WaitStrategy wait, ThreadFactory threads,
            FusedHandler... handlers) {
        RingBuffer<FrameEvent> ring = RingBuffer.createSingleProducer(FrameEvent::new, ringSize, wait);
        return new RingPipeline(name, ring, threads, handlers);
    }

    /**
     * The wiring audit: every stage instance placed once (a stage on two threads would race
     * on its state), and release, which frees the slot, last of all (a stage after it would
     * read a slot already handed back).
     */
    private static void checkPlacement(String ring, FusedHandler[] handlers) {
        IdentityHashMap<Stage, String> placed = new IdentityHashMap<>();
        for (int h = 0; h < handlers.length; h++) {
            FusedHandler handler = handlers[h];
            for (int s = 0; s < handler.stageCount(); s++) {
                Stage stage = handler.stage(s);
                String where = handler.name();
                String earlier = placed.putIfAbsent(stage, where);
                if (earlier != null) {
                    throw new IllegalArgumentException("ring " + ring + ": stage " + stage.role()
                            + " placed twice (threads " + earlier + " and " + where + ")");
                }
                boolean last = h == handlers.length - 1 && s == handler.stageCount() - 1;
                if (stage instanceof Release && !last) {
                    throw new IllegalArgumentException("ring " + ring + ": release on thread " + where
                            + " is not the last stage of the ring");
                }
            }
        }
    }

    /**
     * A multi-producer ring (the TX ring: tun-read, control, pqc and feedback publish) of
     * {@code ringSize} events consumed by {@code handlers} in line. Each producer
     * allocates from its own {@link SlotPool} partition.
     */
    public static RingPipeline multiProducer(String name, int ringSize, WaitStrategy wait, ThreadFactory threads,
            FusedHandler... handlers) {
        RingBuffer<FrameEvent> ring = RingBuffer.createMultiProducer(FrameEvent::new, ringSize, wait);
        return new RingPipeline(name, ring, threads, handlers);
    }

    public void start() {
        if (started) {
            throw new IllegalStateException("ring " + name + " already started");
        }
        started = true;
        for (Thread t : threads) {
            t.start();
        }
    }

    /**
     * Publishes a received frame if the ring has room (the producer thread's call).
     *
     * @return false when the ring is full: the caller still owns the slot
     */
    public boolean tryPublish(int slot, int offset, int length, long rxNanos) {
        return tryPublish(slot, offset, length, FrameEvent.NO_PEER, rxNanos);
    }

    /**
     * Publishes a frame to a known peer if the ring has room (a producer that must not
     * wait: the RX side's feedback, which would otherwise close a wait cycle RX -> TX ->
     * link -> peer -> link -> RX).
     *
     * @return false when the ring is full: the caller still owns the slot
     */
    public boolean tryPublish(int slot, int offset, int length, int peer, long nanos) {
        long sequence;
        try {
            sequence = ring.tryNext();
        } catch (InsufficientCapacityException full) { // a preallocated singleton: no allocation
            return false;
        }
        ring.get(sequence).received(slot, offset, length, nanos).peer(peer);
        ring.publish(sequence);
        return true;
    }

    /** Publishes a received frame, waiting for room (the producer thread's call). */
    public void publish(int slot, int offset, int length, long rxNanos) {
        publish(slot, offset, length, FrameEvent.NO_PEER, rxNanos);
    }

    /**
     * Publishes a frame whose peer the producer already knows (the send side: tun-read
     * looked it up by inner destination), waiting for room.
     */
    public void publish(int slot, int offset, int length, int peer, long nanos) {
        long sequence = ring.next();
        ring.get(sequence).received(slot, offset, length, nanos).peer(peer);
        ring.publish(sequence);
    }

    /**
     * A consumer asks for a timer tick at {@code nanos} (or later; {@link Long#MAX_VALUE}:
     * none): the producer publishes one ({@link #publishTimerIfDue}) once that time has
     * passed and bounds its idle waits by it ({@link #idleMillis}). Scatter's reorder
     * uses it so a packet held behind a gap is released by its bound even when nothing
     * else arrives.
     */
    public void wakeAt(long nanos) {
        wakeAt.lazySet(nanos);
    }

    /**
     * The producer's call, on every pass of its loop: publishes a timer tick if one is
     * due (at most one per request).
     *
     * @return whether one was published
     */
    public boolean publishTimerIfDue(long nowNanos) {
        long due = wakeAt.get();
        if (nowNanos < due || !wakeAt.compareAndSet(due, Long.MAX_VALUE)) {
            return false;
        }
        long sequence = ring.next();
        ring.get(sequence).timer(nowNanos);
        ring.publish(sequence);
        timers++;
        return true;
    }

    /**
     * How long the producer may wait idle: {@code idleMillis}, or less if a timer tick is
     * due sooner (at least 1), or 1 while the consumers are still on events published
     * (one of them may yet ask for a tick: the packet that starts a hold is the one the
     * producer just published). Events finished before the check made their requests
     * visible: a consumer asks before its sequence moves on.
     */
    public int idleMillis(long nowNanos, int idleMillis) {
        boolean consumersBehind = processed() < published();
        long due = wakeAt.get();
        int wait = idleMillis;
        if (due != Long.MAX_VALUE) {
            long ms = (due - nowNanos + 999_999) / 1_000_000;
            wait = (int) Math.max(1, Math.min(idleMillis, ms));
        }
        return consumersBehind ? Math.min(wait, 1) : wait;
    }

    /** Timer ticks published. */
    public long timers() {
        return timers;
    }

    /** Events published so far. */
    public long published() {
        return ring.getCursor() + 1;
    }

    /** Events every thread has finished. */
    public long processed() {
        return processors.get(processors.size() - 1).getSequence().get() + 1;
    }

    /**
     * Waits until every thread has finished every event published so far.
     *
     * @return false on timeout
     */
    public boolean awaitDrained(long timeout, TimeUnit unit) {
        long target = published();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (processed() < target) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(50_000);
        }
        return true;
    }

    public String name() {
        return name;
    }

    public int threadCount() {
        return threads.length;
    }

    public FusedHandler handler(int index) {
        return handlers[index];
    }

    /** Consumer thread {@code index} (for its id in allocation checks, or a join). */
    public Thread thread(int index) {
        return threads[index];
    }

    public int ringSize() {
        return ring.getBufferSize();
    }

    /** Errors that escaped a handler (they did not stop the consumer). */
    public long escapedErrors() {
        return escaped.count.get();
    }

    /**
     * The wiring, one line per thread, e.g.
     * <pre>
     * ring rx: 1024 events
     *   [m13-rx-0] parse -> decrypt
     *   [m13-rx-1] classify -> scatter -> release
     * </pre>
     */
    public String describe() {
        StringBuilder out = new StringBuilder("ring ").append(name).append(": ").append(ring.getBufferSize())
                .append(" events\n");
        for (int i = 0; i < handlers.length; i++) {
            String stages = handlers[i].describe();
            out.append("  [").append(threads[i].getName()).append("] ")
                    .append(stages, stages.indexOf(": ") + 2, stages.length()).append('\n');
        }
        return out.toString();
    }

    /**
     * Stops the consumers after the event each is on and waits for their threads to end.
     * An interrupt while waiting is kept on the calling thread.
     *
     * @throws IllegalStateException if a consumer did not stop within 10 s
     */
    @Override
    public void close() {
        for (BatchEventProcessor<FrameEvent> p : processors) {
            p.halt();
        }
        if (!started) {
            return;
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                throw new IllegalStateException("consumer thread " + t.getName() + " did not stop");
            }
        }
    }

    /** Counts instead of halting: the Disruptor default would kill the consumer. Error path only. */
    private static final class EscapedErrors implements ExceptionHandler<FrameEvent> {
        private final AtomicLong count = new AtomicLong();

        @Override
        public void handleEventException(Throwable error, long sequence, FrameEvent event) {
            count.incrementAndGet();
        }

        @Override
        public void handleOnStartException(Throwable error) {
            count.incrementAndGet();
        }

        @Override
        public void handleOnShutdownException(Throwable error) {
            count.incrementAndGet();
        }
    }
}
