package org.m13.daemon;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutBlockingWaitStrategy;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.stage.FrameEvent;
import org.m13.stage.Sink;
import org.m13.telemetry.DropReason;
import org.m13.wire.EthernetHeader;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * The control ring (the design's PQC ring): scatter's control and handshake sinks copy
 * each body into it on the RX thread, and one thread of its own consumes it, running
 * the handshake (milliseconds of ML-KEM and ML-DSA work), the peer lifecycle and the
 * timers, so a handshake flood slows only this thread, never the tunnels. The thread
 * blocks when idle and wakes at least every {@code tick} for the timers.
 *
 * <p>A full ring refuses the frame ({@link DropReason#DESTINATION_FULL}): the senders
 * retransmit, and established tunnels do not notice.
 */
public final class ControlRing implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ControlRing.class);

    /** What the control thread does. */
    public interface Handler {
        /** One message; the event is reused after the call. */
        void onMessage(ControlEvent event, long nowNanos);

        /** Timers; called at least every tick and after every batch. */
        void onTick(long nowNanos);
    }

    private final RingBuffer<ControlEvent> ring;
    private final BatchEventProcessor<ControlEvent> processor;
    private final Thread thread;
    private final boolean hubPlacement;
    private final AtomicLong faults = new AtomicLong();
    private final M13Header header = new M13Header();
    private final EthernetHeader eth = new EthernetHeader();
    private long offered;
    private long full;

    /**
     * @param size events, a power of two
     * @param hubPlacement frames carry the outer IPv4/UDP headers before them ({@link Outer})
     */
    public ControlRing(String name, int size, long tickNanos, boolean hubPlacement, Handler handler) {
        this.hubPlacement = hubPlacement;
        this.ring = RingBuffer.createMultiProducer(ControlEvent::new, size,
                new TimeoutBlockingWaitStrategy(tickNanos, TimeUnit.NANOSECONDS));
        EventHandler<ControlEvent> adapter = new EventHandler<>() {
            @Override
            public void onEvent(ControlEvent event, long sequence, boolean endOfBatch) {
                long now = System.nanoTime();
                handler.onMessage(event, now);
                if (endOfBatch) {
                    handler.onTick(now);
                }
            }

            @Override
            public void onTimeout(long sequence) {
                handler.onTick(System.nanoTime());
            }
        };
        this.processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), adapter);
        processor.setExceptionHandler(new ExceptionHandler<>() {
            @Override
            public void handleEventException(Throwable error, long sequence, ControlEvent event) {
                count(error);
            }

            @Override
            public void handleOnStartException(Throwable error) {
                count(error);
            }

            @Override
            public void handleOnShutdownException(Throwable error) {
                count(error);
            }
        });
        ring.addGatingSequences(processor.getSequence());
        this.thread = new Thread(processor, "m13-" + name);
    }

    private void count(Throwable error) {
        if (faults.getAndIncrement() < 10) {
            LOG.error("control thread: {}", error.toString(), error); // error path only, first ten
        }
    }

    public void start() {
        thread.start();
    }

    /**
     * The sink for scatter's control and handshake destinations (RX thread): copies the
     * body and who sent it into the ring.
     */
    public Sink sink() {
        return this::offer;
    }

    private DropReason offer(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
        if (bodyLength > ControlEvent.MAX_BODY) {
            return DropReason.BAD_LENGTH;
        }
        long sequence;
        try {
            sequence = ring.tryNext();
        } catch (InsufficientCapacityException e) { // a preallocated singleton
            full++;
            return DropReason.DESTINATION_FULL;
        }
        try {
            int frame = bodyIndex - Wire.MIN_FRAME_BYTES;
            ControlEvent c = ring.get(sequence);
            long source = hubPlacement ? Outer.source(buffer, frame) : 0;
            boolean sealed = header.wrap(buffer, frame).crypto() == Wire.CRYPTO_AES_256_GCM;
            c.fill(event.disposition(), event.peer(), source, eth.wrap(buffer, frame).source(), sealed,
                    event.rxNanos());
            buffer.get(bodyIndex, c.body(), 0, bodyLength);
            buffer.get(header.sigIndex() + M13Header.TAG_OFFSET, c.tag(), 0, M13Header.TAG_BYTES);
            c.flags(header.flags());
            c.length(bodyLength);
        } finally {
            ring.publish(sequence);
        }
        offered++;
        return DropReason.NONE;
    }

    /** Bodies copied into the ring (RX thread's counter). */
    public long offered() {
        return offered;
    }

    /** Bodies refused because the ring was full (RX thread's counter). */
    public long full() {
        return full;
    }

    /** Errors the handler threw (it keeps running). */
    public long faults() {
        return faults.get();
    }

    public Thread thread() {
        return thread;
    }

    /** Stops the thread after the event it is on and waits for it. */
    @Override
    public void close() {
        processor.halt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
