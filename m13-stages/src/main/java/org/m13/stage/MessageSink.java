package org.m13.stage;

import java.nio.ByteBuffer;

/**
 * Takes complete handshake messages from {@link HandshakeReassembly} (later: the PQC
 * ring's producer). The message is {@code buffer[index, index + length)}, valid only
 * during the call.
 */
@FunctionalInterface
public interface MessageSink {
    void onMessage(int peer, ByteBuffer buffer, int index, int length);
}
