package org.m13.stage;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.m13.telemetry.DropReason;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Routes a classified frame's body to its destination by disposition:
 * <pre>
 *   TUNNEL                     -> tun-write
 *   FIN, CONTROL, REGISTRATION -> control
 *   FRAGMENT, HANDSHAKE        -> handshake (reassembly)
 *   FEC                        -> fec-decode
 *   FEEDBACK                   -> feedback
 * </pre>
 * A sink's refusal is counted under the reason it gives; the slot is then freed by
 * release like every other frame's.
 */
public final class Scatter implements Stage {
    private final SlotPool pool;
    private final Sink tun;
    private final Sink control;
    private final Sink handshake;
    private final Sink fec;
    private final Sink feedback;
    private final M13Header header = new M13Header();
    private final DropCounters drops = new DropCounters();
    private final long[] delivered = new long[Disposition.ID_LIMIT];
    private long events;
    private LongConsumer timer = nanos -> {
    };

    /** Pass {@link Sink#UNWIRED} for a destination not built yet. */
    public Scatter(SlotPool pool, Sink tun, Sink control, Sink handshake, Sink fec, Sink feedback) {
        this.pool = pool;
        this.tun = Objects.requireNonNull(tun, "tun");
        this.control = Objects.requireNonNull(control, "control");
        this.handshake = Objects.requireNonNull(handshake, "handshake");
        this.fec = Objects.requireNonNull(fec, "fec");
        this.feedback = Objects.requireNonNull(feedback, "feedback");
    }

    /** Who gets the ring's timer ticks ({@link RingPipeline#wakeAt}): tun-write's reorder. Before the ring starts. */
    public void timer(LongConsumer onTick) {
        this.timer = Objects.requireNonNull(onTick, "onTick");
    }

    @Override
    public String role() {
        return "scatter";
    }

    @Override
    public void onEvent(FrameEvent event) {
        if (event.isTimer()) {
            timer.accept(event.rxNanos());
            return;
        }
        if (event.isDropped()) {
            return;
        }
        events++;
        Disposition disposition = event.disposition();
        Sink sink = switch (disposition) {
            case TUNNEL -> tun;
            case FIN, CONTROL, REGISTRATION -> control;
            case FRAGMENT, HANDSHAKE -> handshake;
            case FEC -> fec;
            case FEEDBACK -> feedback;
            case PENDING -> null;
        };
        if (sink == null) {
            drop(event, DropReason.NO_DESTINATION);
            return;
        }
        ByteBuffer buffer = pool.buffer();
        int bodyIndex = header.wrap(buffer, pool.base(event.slot()) + event.offset()).bodyIndex();
        DropReason refused = sink.deliver(event, buffer, bodyIndex, event.length() - Wire.MIN_FRAME_BYTES);
        if (refused != DropReason.NONE) {
            drop(event, refused);
            return;
        }
        delivered[disposition.id()]++;
    }

    private void drop(FrameEvent event, DropReason reason) {
        event.drop(reason);
        drops.count(reason);
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    /** Frames of this disposition their sink accepted. */
    public long delivered(Disposition disposition) {
        return delivered[disposition.id()];
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }
}
