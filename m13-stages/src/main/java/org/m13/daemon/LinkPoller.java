package org.m13.daemon;

import java.util.concurrent.atomic.AtomicLong;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.sys.Datagrams;
import org.m13.sys.Tun;
import org.m13.wire.Wire;

/**
 * The RX ring's producer over a UDP socket: waits for datagrams (poll, so an idle link
 * costs no CPU), receives each straight into a free RX slot and publishes it. On the
 * hub (unconnected socket) the datagram lands after 42 bytes of headroom and its source
 * address is written where AF_XDP would have put the outer IPv4 and UDP headers
 * ({@link Outer}); on the node (socket connected to the hub) it lands at offset 0.
 *
 * <p>When every slot is in use the poller waits for release to free one: the datagrams
 * wait in the socket buffer, and drops, if any, happen in the kernel (counted there).
 */
public final class LinkPoller implements Runnable {
    private final Datagrams socket;
    private final SlotPool pool;
    private final RingPipeline rx;
    private final boolean hubPlacement;
    private final int offset;
    private volatile boolean running = true;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private long noSlot;

    public LinkPoller(Datagrams socket, SlotPool pool, RingPipeline rx, boolean hubPlacement) {
        this.socket = socket;
        this.pool = pool;
        this.rx = rx;
        this.hubPlacement = hubPlacement;
        this.offset = hubPlacement ? Wire.UDP_HUB_FRAME_OFFSET : Wire.UDP_NODE_FRAME_OFFSET;
    }

    @Override
    public void run() {
        int slot = SlotPool.NO_SLOT;
        while (running) {
            var unusedTick = rx.publishTimerIfDue(System.nanoTime());
            if (slot == SlotPool.NO_SLOT) {
                slot = pool.alloc();
                if (slot == SlotPool.NO_SLOT) {
                    noSlot++;
                    Thread.onSpinWait();
                    continue;
                }
            }
            long base = pool.address(slot);
            int n = hubPlacement
                    ? socket.receiveFrom(base + offset, pool.slotBytes() - offset, base + offset + Outer.SOURCE_IP,
                            base + offset + Outer.SOURCE_PORT)
                    : socket.receive(base + offset, pool.slotBytes() - offset);
            if (n > 0) {
                rx.publish(slot, offset, n, System.nanoTime());
                received.lazySet(received.get() + 1);
                slot = SlotPool.NO_SLOT;
            } else if (n == 0) {
                int ready = socket.poll(Tun.POLLIN, rx.idleMillis(System.nanoTime(), 100));
                if (ready < 0) {
                    errors.incrementAndGet();
                }
            } else {
                errors.incrementAndGet(); // e.g. ECONNREFUSED after an ICMP port unreachable: go on
            }
        }
        // the slot still held is never published; nothing else frees RX slots once stopped
    }

    public void stop() {
        running = false;
    }

    public long received() {
        return received.get();
    }

    public long errors() {
        return errors.get();
    }

    /** Times the poller found no free slot (read from the poller's thread only). */
    public long noSlot() {
        return noSlot;
    }
}
