package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.m13.stage.LinkSender;
import org.m13.stage.SlotPool;
import org.m13.sys.Datagrams;

/**
 * link-tx over a UDP socket: the node sends every frame to the hub (connected socket);
 * the hub sends each frame to the address the producer wrote in front of it
 * ({@link Outer#destination(ByteBuffer, int)}). A full socket buffer refuses the frame
 * (link-tx counts it as {@code LINK_FULL}).
 */
public final class UdpLinkSender implements LinkSender {
    private final Datagrams socket;
    private final SlotPool pool;
    private final boolean hubPlacement;
    private final AtomicLong errors = new AtomicLong();

    public UdpLinkSender(Datagrams socket, SlotPool pool, boolean hubPlacement) {
        this.socket = socket;
        this.pool = pool;
        this.hubPlacement = hubPlacement;
    }

    @Override
    public boolean send(ByteBuffer buffer, int index, int length) {
        long address = pool.address() + index;
        int n;
        if (hubPlacement) {
            long to = Outer.destination(buffer, index);
            n = socket.sendTo(address, length, Outer.ip(to), Outer.port(to));
        } else {
            n = socket.send(address, length);
        }
        if (n < 0) {
            errors.incrementAndGet();
        }
        return n == length;
    }

    /** Sends that failed with an error (not just a full buffer). */
    public long errors() {
        return errors.get();
    }
}
