package org.m13.stage;

import java.nio.ByteBuffer;

/** Finds the peer a received frame comes from. Called once per frame by parse; must not allocate. */
@FunctionalInterface
public interface PeerLookup {
    /**
     * The peer that sent the frame at {@code frameIndex}.
     *
     * @param buffer the slot pool's buffer
     * @param frameIndex absolute index of the frame's first byte (its Ethernet header); in
     *     the hub's UDP placement the outer IPv4 and UDP headers lie just before it
     * @return the peer index (0 or more), or {@link FrameEvent#NO_PEER}
     */
    int peerOf(ByteBuffer buffer, int frameIndex);
}
