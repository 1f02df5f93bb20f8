package org.m13.stage;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.m13.wire.Wire;

/**
 * A lossless in-memory link for tests: each frame sent is copied into a slot of the
 * receiver's pool, behind 42 bytes of stand-in IPv4/UDP headers (the hub's UDP
 * placement), and published on the receiver's RX ring. The sending thread is then the
 * RX ring's only producer and the RX pool's only allocator. When the receiver is behind
 * it waits (backpressure) up to 5 s for a slot, then refuses the frame.
 */
final class MemoryLink implements LinkSender {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final SlotPool rxPool;
    private final RingPipeline rxRing;
    long refused;

    MemoryLink(SlotPool rxPool, RingPipeline rxRing) {
        this.rxPool = rxPool;
        this.rxRing = rxRing;
    }

    @Override
    public boolean send(ByteBuffer buffer, int index, int length) {
        if (Wire.UDP_HUB_FRAME_OFFSET + length > rxPool.slotBytes()) {
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
        rxPool.buffer().put(base + Wire.UDP_HUB_FRAME_OFFSET, buffer, index, length);
        rxRing.publish(slot, Wire.UDP_HUB_FRAME_OFFSET, length, System.nanoTime());
        return true;
    }
}
