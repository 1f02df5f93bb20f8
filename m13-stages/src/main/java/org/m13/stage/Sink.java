package org.m13.stage;

import java.nio.ByteBuffer;
import org.m13.telemetry.DropReason;

/**
 * A destination scatter hands a frame's body to: tun-write, control, handshake
 * reassembly, fec-decode or feedback. The body is {@code buffer[bodyIndex, bodyIndex +
 * bodyLength)} in the slot pool; the slot is released right after the call returns, so
 * a sink copies whatever it keeps. Must not allocate per frame.
 */
@FunctionalInterface
public interface Sink {
    /** A destination not built yet: every frame routed to it is dropped as {@link DropReason#NO_DESTINATION}. */
    Sink UNWIRED = (event, buffer, bodyIndex, bodyLength) -> DropReason.NO_DESTINATION;

    /**
     * Hands the body on.
     *
     * @return {@link DropReason#NONE} when the sink took the frame, else why it refused it
     */
    DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength);
}
