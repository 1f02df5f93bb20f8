package org.m13.wire;

/**
 * The direction byte in the nonce (sig+28). A sender writes its own direction; a
 * receiver refuses frames that carry its own (a reflection of its traffic), so a
 * session's two directions can never share a nonce even under one key.
 */
public final class Direction {
    public static final int HUB_TO_NODE = 0x00;
    public static final int NODE_TO_HUB = 0x01;

    private Direction() {
    }
}
