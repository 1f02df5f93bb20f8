package org.m13.stage;

import java.nio.ByteBuffer;
import org.m13.telemetry.DropReason;
import org.m13.wire.FrameStatus;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * First receive stage: checks that the frame lies within its slot, runs the outer header
 * checks ({@link M13Header#checkOuter}: size, EtherType, magic, version, crypto mode,
 * key-phase bits) and finds the peer. An encrypted frame from an unknown peer is dropped
 * here ({@link DropReason#UNKNOWN_PEER}); a cleartext one goes on with
 * {@link FrameEvent#NO_PEER}, because registration comes from peers not yet known
 * (classify decides what such a frame may be).
 */
public final class Parse implements Stage {
    private final SlotPool pool;
    private final PeerLookup peers;
    private final M13Header header = new M13Header();
    private final DropCounters drops = new DropCounters();
    private long events;

    public Parse(SlotPool pool, PeerLookup peers) {
        this.pool = pool;
        this.peers = peers;
    }

    @Override
    public String role() {
        return "parse";
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
        if (!pool.holds(slot, offset, length)) {
            drop(event, DropReason.SLOT_RANGE);
            return;
        }
        ByteBuffer buffer = pool.buffer();
        int frame = pool.base(slot) + offset;
        int status = header.wrap(buffer, frame).checkOuter(length);
        if (status != FrameStatus.OK.code()) {
            drop(event, DropReason.ofFrameStatus(status));
            return;
        }
        int peer = peers.peerOf(buffer, frame);
        if (peer == FrameEvent.NO_PEER && header.crypto() != Wire.CRYPTO_CLEARTEXT) {
            drop(event, DropReason.UNKNOWN_PEER);
            return;
        }
        event.peer(peer);
    }

    private void drop(FrameEvent event, DropReason reason) {
        event.drop(reason);
        drops.count(reason);
    }

    /** Frames seen (not already dropped when they arrived). */
    public long events() {
        return events;
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }
}
