package org.m13.stage;

import java.nio.ByteBuffer;

/**
 * The send half of a link (AF_XDP TX ring, UDP socket, or an in-memory link in tests), as
 * link-tx sees it. Must not allocate per frame.
 */
@FunctionalInterface
public interface LinkSender {
    /**
     * Sends the frame {@code buffer[index, index + length)}; the link copies the bytes or is
     * done with them when it returns (the slot is released right after).
     *
     * @return false when the link cannot take the frame now
     */
    boolean send(ByteBuffer buffer, int index, int length);
}
