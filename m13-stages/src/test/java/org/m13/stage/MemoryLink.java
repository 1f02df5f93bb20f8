package org.m13.stage;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A lossless in-memory link for tests: each frame sent is copied into a slot of the
 * receiver's pool at the receiver's frame offset (42 for the hub, behind stand-in
 * IPv4/UDP headers; 0 for the node), and published on the receiver's RX ring. The sending thread is then the
 * RX ring's only producer and the RX pool's only allocator. When the receiver is behind
 * it waits (backpressure) up to 5 s for a slot, then refuses the frame.
 */
final class MemoryLink implements LinkSender {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final SlotPool rxPool;
    private final RingPipeline rxRing;
    private final int offset;
    long refused;

    MemoryLink(SlotPool rxPool, RingPipeline rxRing, int offset) {
        this.rxPool = rxPool;
        this.rxRing = rxRing;
        this.offset = offset;
    }

    @Override
    public boolean send(ByteBuffer buffer, int index, int length) {
        if (offset + length > rxPool.slotBytes()) {
            refused++;
            return false;
        }
        int slot = rxPool.alloc();
        if (slot == SlotPool.NO_SLOT) {
            long deadline = System.nanoTime() + WAIT_NANOS;
            while ((slot = rxPool.alloc()) == SlotPool.NO_SLOT) {
                if (System.nanoTime() - deadline > 0) {
                    refused++;
                    return false;
                }
                Thread.onSpinWait();
            }
        }
        int base = rxPool.base(slot);
        rxPool.buffer().put(base + offset, buffer, index, length);
        rxRing.publish(slot, offset, length, System.nanoTime());
        return true;
    }
}
