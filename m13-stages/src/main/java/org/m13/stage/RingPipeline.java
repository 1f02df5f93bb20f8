package org.m13.stage;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One ring with one consumer thread that runs a {@link FusedHandler}: the smallest
 * wiring of stages onto a Disruptor (4.0.0, {@link BatchEventProcessorBuilder}). The RX
 * ring is single-producer: only the link poller publishes, through {@link #tryPublish}
 * or {@link #publish}, which fill a pre-allocated event in place (no translator
 * objects, no allocation).
 *
 * <p>The consumer thread comes from an injected {@link ThreadFactory}, which names it
 * (and later takes its affinity lock inside it). Errors that escape the handler (only
 * {@link Error}s: the handler catches stage exceptions) are counted and the processor
 * keeps running.
 */
public final class RingPipeline implements AutoCloseable {
    private final RingBuffer<FrameEvent> ring;
    private final FusedHandler handler;
    private final BatchEventProcessor<FrameEvent> processor;
    private final Thread thread;
    private final EscapedErrors escaped = new EscapedErrors();
    private boolean started;

    private RingPipeline(RingBuffer<FrameEvent> ring, FusedHandler handler, ThreadFactory threads) {
        this.ring = ring;
        this.handler = handler;
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        processor.setExceptionHandler(escaped);
        ring.addGatingSequences(processor.getSequence());
        this.thread = Objects.requireNonNull(threads.newThread(processor), "thread factory returned null");
    }

    /**
     * A single-producer ring of {@code ringSize} events (a power of two) consumed by
     * {@code handler} on a thread from {@code threads}. Call {@link #start()} to run it.
     */
    public static RingPipeline singleProducer(int ringSize, WaitStrategy wait, ThreadFactory threads,
            FusedHandler handler) {
        RingBuffer<FrameEvent> ring = RingBuffer.createSingleProducer(FrameEvent::new, ringSize, wait);
        return new RingPipeline(ring, handler, threads);
    }

    public void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        thread.start();
    }

    /**
     * Publishes a received frame if the ring has room (the producer thread's call).
     *
     * @return false when the ring is full: the caller still owns the slot
     */
    public boolean tryPublish(int slot, int offset, int length, long rxNanos) {
        if (!ring.hasAvailableCapacity(1)) {
            return false;
        }
        publish(slot, offset, length, rxNanos);
        return true;
    }

    /** Publishes a received frame, waiting for room (the producer thread's call). */
    public void publish(int slot, int offset, int length, long rxNanos) {
        long sequence = ring.next();
        ring.get(sequence).received(slot, offset, length, rxNanos);
        ring.publish(sequence);
    }

    /** Events published so far. */
    public long published() {
        return ring.getCursor() + 1;
    }

    /** Events the consumer has finished (every fused stage ran). */
    public long processed() {
        return processor.getSequence().get() + 1;
    }

    /**
     * Waits until the consumer has finished every event published so far.
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

    public FusedHandler handler() {
        return handler;
    }

    /** The consumer thread (for its id in allocation checks, or a join). */
    public Thread thread() {
        return thread;
    }

    public int ringSize() {
        return ring.getBufferSize();
    }

    /** Errors that escaped the handler (they did not stop the consumer). */
    public long escapedErrors() {
        return escaped.count.get();
    }

    /**
     * Stops the consumer after the event it is on and waits for its thread to end. An
     * interrupt while waiting is kept on the calling thread.
     *
     * @throws IllegalStateException if the consumer did not stop within 10 s
     */
    @Override
    public void close() {
        processor.halt();
        if (!started) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("consumer thread " + thread.getName() + " did not stop");
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
