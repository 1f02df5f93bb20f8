package org.m13.stage;

import java.nio.ByteBuffer;

/**
 * A destination scatter hands a frame's body to: tun-write, control, handshake
 * reassembly, fec-decode or feedback. The body is {@code buffer[bodyIndex, bodyIndex +
 * bodyLength)} in the slot pool; the slot is released right after the call returns, so
 * a sink copies whatever it keeps. Must not allocate per frame.
 */
@FunctionalInterface
public interface Sink {
    /** A destination not built yet: every frame routed to it is dropped as {@link Drop#NO_DESTINATION}. */
    Sink UNWIRED = (event, buffer, bodyIndex, bodyLength) -> Drop.NO_DESTINATION;

    /**
     * Hands the body on.
     *
     * @return {@link Drop#NONE} when the sink took the frame, else why it refused it
     */
    Drop deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength);
}
