package org.m13.daemon;

import java.nio.ByteBuffer;
import org.m13.handshake.FrameMac;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.wire.EthernetHeader;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * One producer of the TX ring (the TUN reader, or the control thread): it allocates
 * slots from its own partition of the TX {@link SlotPool}, writes a frame in place
 * (Ethernet header, M13 header, body; on the hub the outer destination in front of
 * it) and publishes it; seal and link-tx do the rest, and release frees the slot.
 * Frames marked cleartext pass seal unsealed. One thread per producer.
 */
public final class TxProducer {
    private final SlotPool pool;
    private final int partition;
    private final RingPipeline tx;
    private final PeerTable peers;
    private final int offset;
    private final boolean hubPlacement;
    private final long ourMac;
    private final EthernetHeader eth = new EthernetHeader();
    private final M13Header header = new M13Header();
    private FrameMac frameMac;
    private long published;
    private long exhausted;

    /**
     * @param hubPlacement frames sit after 42 bytes of outer headers ({@link Outer}), else at 0
     */
    public TxProducer(SlotPool pool, int partition, RingPipeline tx, PeerTable peers, boolean hubPlacement,
            long ourMac) {
        this.pool = pool;
        this.partition = partition;
        this.tx = tx;
        this.peers = peers;
        this.hubPlacement = hubPlacement;
        this.offset = hubPlacement ? Wire.UDP_HUB_FRAME_OFFSET : Wire.UDP_NODE_FRAME_OFFSET;
        this.ourMac = ourMac;
    }

    /**
     * Stamps every cleartext frame from now on with the per-frame mac1 (the node's
     * registration, handshake fragments and ACKs to the hub).
     */
    public void stampCleartext(FrameMac mac) {
        this.frameMac = mac;
    }

    /** A free slot of this producer's partition, or {@link SlotPool#NO_SLOT} (counted). */
    public int claim() {
        int slot = pool.alloc(partition);
        if (slot == SlotPool.NO_SLOT) {
            exhausted++;
        }
        return slot;
    }

    /** Buffer index of the body of a frame in {@code slot} ({@link #pool()}'s buffer). */
    public int bodyIndex(int slot) {
        return pool.base(slot) + offset + Wire.MIN_FRAME_BYTES;
    }

    /** Native address of the body of a frame in {@code slot}. */
    public long bodyAddress(int slot) {
        return pool.address(slot) + offset + Wire.MIN_FRAME_BYTES;
    }

    /** Room for a body in one slot. */
    public int maxBody() {
        return pool.slotBytes() - offset - Wire.MIN_FRAME_BYTES;
    }

    public SlotPool pool() {
        return pool;
    }

    /**
     * Writes the headers of a frame whose body is already in {@code slot} and publishes
     * it to {@code peer} (waiting for room in the ring).
     *
     * @param sealed seal it with the peer's session key (else it goes out cleartext)
     */
    public void publish(int slot, int peer, int flags, int bodyLength, boolean sealed, long nowNanos) {
        int frame = writeHeaders(slot, peer, flags, bodyLength, sealed, nowNanos);
        tx.publish(slot, offset, frame, peer, nowNanos);
        published++;
    }

    /**
     * As {@link #publish}, but only if the ring has room now.
     *
     * @return whether the frame was published; if not, the caller still owns the slot
     *     (only the TX ring's release thread may free it)
     */
    public boolean tryPublish(int slot, int peer, int flags, int bodyLength, boolean sealed, long nowNanos) {
        int frame = writeHeaders(slot, peer, flags, bodyLength, sealed, nowNanos);
        if (!tx.tryPublish(slot, offset, frame, peer, nowNanos)) {
            return false;
        }
        published++;
        return true;
    }

    /** Writes the headers in front of the body; returns the frame length. */
    private int writeHeaders(int slot, int peer, int flags, int bodyLength, boolean sealed, long nowNanos) {
        ByteBuffer b = pool.buffer();
        int frame = pool.base(slot) + offset;
        eth.wrap(b, frame).destination(peers.mac(peer)).source(ourMac).etherType(Wire.ETHERTYPE_M13);
        header.wrap(b, frame);
        if (sealed) {
            header.writeForSeal(0, flags, bodyLength).sendTime((int) (nowNanos / 1000)); // seal: phase, nonce, seq, tag
        } else {
            header.writeCleartext(0, flags, bodyLength);
            if (frameMac != null) {
                frameMac.stamp(b, frame, bodyLength);
            }
        }
        if (hubPlacement) {
            Outer.destination(b, frame, peers.address(peer));
        }
        return Wire.MIN_FRAME_BYTES + bodyLength;
    }

    /** Copies {@code body} into a fresh slot and publishes it; false when no slot was free. */
    public boolean send(int peer, int flags, byte[] body, int bodyOffset, int bodyLength, boolean sealed,
            long nowNanos) {
        int slot = claim();
        if (slot == SlotPool.NO_SLOT) {
            return false;
        }
        pool.buffer().put(bodyIndex(slot), body, bodyOffset, bodyLength);
        publish(slot, peer, flags, bodyLength, sealed, nowNanos);
        return true;
    }

    public long published() {
        return published;
    }

    /** Claims that found the partition empty. */
    public long exhausted() {
        return exhausted;
    }
}
