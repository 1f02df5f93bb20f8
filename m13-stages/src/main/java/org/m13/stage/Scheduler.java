package org.m13.stage;

import java.util.Objects;
import org.m13.telemetry.DropReason;

/**
 * Send side, between seal and the link: two bounded queues, critical and bulk, drained by
 * an earliest-departure-time {@link Pacer}. A frame never leaves before the pacer's
 * departure time for it, and a queued critical frame always leaves before any bulk one.
 *
 * <p>{@link #onEvent} only queues: the event's slot, offset and length go into a
 * preallocated ring of ints and the event hands its slot off ({@link FrameEvent#handOff()}),
 * so release leaves the slot alone. {@link #doWork(long)} is the poller: it sends every
 * frame that is due through the {@link LinkSender}, frees each slot, and
 * {@link #nextWakeNanos()} says when the next frame will be due. {@code onEvent},
 * {@code doWork} and {@code onShutdown} run on one thread, which must be the pool's
 * freeing thread (the TX ring's release thread).
 *
 * <p>Critical: FIN, FEEDBACK, FRAGMENT (handshake fragments), HANDSHAKE, CONTROL and
 * REGISTRATION, as the producer set {@link FrameEvent#disposition}. Bulk: TUNNEL, FEC,
 * and anything left PENDING, so an unlabelled flood cannot starve the control plane.
 * Critical frames are few (handshakes, keepalives, feedback); strict priority is meant.
 *
 * <p>Drops: a frame that does not lie within its slot ({@link DropReason#SLOT_RANGE}, refused
 * here because {@code doWork} runs outside the ring's fault handling); a full queue refuses the frame ({@link DropReason#CRITICAL_QUEUE_FULL},
 * {@link DropReason#BULK_QUEUE_FULL}; the event keeps its slot and release frees it); a link
 * that refuses a due frame costs that frame ({@link DropReason#LINK_FULL}, freed here); frames
 * still queued at shutdown are freed and counted as {@link DropReason#SCHEDULER_DISCARDED}.
 */
public final class Scheduler implements Stage {
    public static final int DEFAULT_QUEUE_FRAMES = 1024;

    private static final boolean[] CRITICAL = criticalTable();

    private final SlotPool pool;
    private final LinkSender link;
    private final Pacer pacer;
    private final NanoClock clock;
    private final FrameQueue critical;
    private final FrameQueue bulk;
    private final DropCounters drops = new DropCounters();
    private long nextWakeNanos = Long.MAX_VALUE;
    private long events;
    private long queued;
    private long sentCritical;
    private long sentBulk;
    private long bytes;

    /** Default queues ({@link #DEFAULT_QUEUE_FRAMES} each). */
    public Scheduler(SlotPool pool, LinkSender link, Pacer pacer, NanoClock clock) {
        this(pool, link, pacer, clock, DEFAULT_QUEUE_FRAMES, DEFAULT_QUEUE_FRAMES);
    }

    /**
     * A scheduler; queue capacities are rounded up to a power of two.
     *
     * @param criticalFrames capacity of the critical queue, 1..2^20
     * @param bulkFrames capacity of the bulk queue, 1..2^20
     */
    public Scheduler(SlotPool pool, LinkSender link, Pacer pacer, NanoClock clock, int criticalFrames,
            int bulkFrames) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.link = Objects.requireNonNull(link, "link");
        this.pacer = Objects.requireNonNull(pacer, "pacer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.critical = new FrameQueue(criticalFrames);
        this.bulk = new FrameQueue(bulkFrames);
    }

    @Override
    public String role() {
        return "scheduler";
    }

    @Override
    public void onEvent(FrameEvent event) {
        if (event.isDropped()) {
            return;
        }
        events++;
        int slot = event.slot();
        int offset = event.offset();
        int length = event.length();
        if (length <= 0 || !pool.holds(slot, offset, length)) {
            event.drop(DropReason.SLOT_RANGE); // doWork runs outside the ring's fault handling: refuse here
            drops.count(DropReason.SLOT_RANGE);
            return;
        }
        boolean isCritical = CRITICAL[event.disposition().id()];
        FrameQueue queue = isCritical ? critical : bulk;
        if (!queue.offer(slot, offset, length)) {
            DropReason reason = isCritical ? DropReason.CRITICAL_QUEUE_FULL : DropReason.BULK_QUEUE_FULL;
            event.drop(reason);
            drops.count(reason);
            return;
        }
        event.handOff();
        queued++;
        nextWakeNanos = Long.MIN_VALUE; // unknown until the next doWork
    }

    /** {@link #doWork(long)} at the injected clock's time. */
    public int doWork() {
        return doWork(clock.nanoTime());
    }

    /**
     * Sends every frame due at {@code now}, critical first.
     *
     * @return frames handed to the link or dropped by it (0: nothing was due)
     */
    public int doWork(long now) {
        int work = 0;
        while (true) {
            FrameQueue queue = !critical.isEmpty() ? critical : !bulk.isEmpty() ? bulk : null;
            if (queue == null) {
                nextWakeNanos = Long.MAX_VALUE;
                return work;
            }
            int length = queue.headLength();
            long departure = pacer.departureNanos(length, now);
            if (departure > now) {
                nextWakeNanos = departure;
                return work;
            }
            int slot = queue.headSlot();
            int offset = queue.headOffset();
            queue.remove();
            work++;
            if (link.send(pool.buffer(), pool.base(slot) + offset, length)) {
                pacer.sent(length, now);
                bytes += length;
                if (queue == critical) {
                    sentCritical++;
                } else {
                    sentBulk++;
                }
            } else {
                drops.count(DropReason.LINK_FULL);
            }
            pool.free(slot);
        }
    }

    /**
     * When the head frame becomes due: {@link Long#MAX_VALUE} with nothing queued,
     * {@link Long#MIN_VALUE} when frames were queued since the last {@link #doWork} (call it now).
     */
    public long nextWakeNanos() {
        return nextWakeNanos;
    }

    /** Changes the pacing rate from now on (receiver feedback drives it). */
    public void rate(long bitsPerSecond) {
        pacer.rate(bitsPerSecond, clock.nanoTime());
        nextWakeNanos = Long.MIN_VALUE;
    }

    public long rateBitsPerSecond() {
        return pacer.rateBitsPerSecond();
    }

    /** Frees every queued frame (counted as {@link DropReason#SCHEDULER_DISCARDED}). */
    @Override
    public void onShutdown() {
        discard(critical);
        discard(bulk);
        nextWakeNanos = Long.MAX_VALUE;
    }

    private void discard(FrameQueue queue) {
        while (!queue.isEmpty()) {
            int slot = queue.headSlot();
            queue.remove();
            drops.count(DropReason.SCHEDULER_DISCARDED);
            pool.free(slot);
        }
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    /** Frames accepted into a queue. */
    public long queued() {
        return queued;
    }

    public long sentCritical() {
        return sentCritical;
    }

    public long sentBulk() {
        return sentBulk;
    }

    /** Frame bytes handed to the link. */
    public long bytes() {
        return bytes;
    }

    public int criticalDepth() {
        return critical.size();
    }

    public int bulkDepth() {
        return bulk.size();
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }

    private static boolean[] criticalTable() {
        boolean[] table = new boolean[Disposition.ID_LIMIT];
        for (Disposition d : Disposition.values()) {
            table[d.id()] = switch (d) {
                case FIN, FEEDBACK, FRAGMENT, HANDSHAKE, CONTROL, REGISTRATION -> true;
                case TUNNEL, FEC, PENDING -> false;
            };
        }
        return table;
    }

    /** A bounded FIFO of (slot, offset, length) in three preallocated int rings; one thread. */
    private static final class FrameQueue {
        private final int[] slots;
        private final int[] offsets;
        private final int[] lengths;
        private final int mask;
        private long head;
        private long tail;

        FrameQueue(int capacity) {
            if (capacity < 1 || capacity > 1 << 20) {
                throw new IllegalArgumentException("queue of " + capacity + " frames outside 1.." + (1 << 20));
            }
            int size = Integer.highestOneBit(capacity) == capacity ? capacity : Integer.highestOneBit(capacity) << 1;
            this.slots = new int[size];
            this.offsets = new int[size];
            this.lengths = new int[size];
            this.mask = size - 1;
        }

        boolean offer(int slot, int offset, int length) {
            if (tail - head == slots.length) {
                return false;
            }
            int i = (int) tail & mask;
            slots[i] = slot;
            offsets[i] = offset;
            lengths[i] = length;
            tail++;
            return true;
        }

        boolean isEmpty() {
            return head == tail;
        }

        int size() {
            return (int) (tail - head);
        }

        int headSlot() {
            return slots[(int) head & mask];
        }

        int headOffset() {
            return offsets[(int) head & mask];
        }

        int headLength() {
            return lengths[(int) head & mask];
        }

        void remove() {
            head++;
        }
    }
}
