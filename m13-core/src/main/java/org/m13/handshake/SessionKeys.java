package org.m13.handshake;

import java.util.Arrays;

/**
 * The result of a handshake: one 32-byte AES-256-GCM key per direction, for
 * {@code org.m13.crypto.AesGcm.withKey}. Accessors return copies; the caller wipes a
 * copy once the AesGcm is made, and closes this object when the session ends (which
 * zeroes the keys). {@link #handshakeHash()} is H_fin: equal on both sides, not
 * secret, usable as a session identifier in logs. No key is ever in {@link #toString()}.
 */
public final class SessionKeys implements AutoCloseable {
    public static final int KEY_BYTES = 32;

    /** Which side holds these keys (decides which key is "send"). */
    public enum Role {
        NODE,
        HUB
    }

    private final Role role;
    private final byte[] nodeToHub;
    private final byte[] hubToNode;
    private final byte[] handshakeHash;
    private boolean closed;

    SessionKeys(Role role, byte[] nodeToHub, byte[] hubToNode, byte[] handshakeHash) {
        this.role = role;
        this.nodeToHub = nodeToHub;
        this.hubToNode = hubToNode;
        this.handshakeHash = handshakeHash;
    }

    public Role role() {
        return role;
    }

    public byte[] nodeToHubKey() {
        return copy(nodeToHub);
    }

    public byte[] hubToNodeKey() {
        return copy(hubToNode);
    }

    /** The key this side seals with. */
    public byte[] sendKey() {
        return role == Role.NODE ? nodeToHubKey() : hubToNodeKey();
    }

    /** The key this side opens with. */
    public byte[] receiveKey() {
        return role == Role.NODE ? hubToNodeKey() : nodeToHubKey();
    }

    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    private byte[] copy(byte[] key) {
        if (closed) {
            throw new IllegalStateException("session keys are closed");
        }
        return key.clone();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Zeroes both keys. Idempotent. */
    @Override
    public void close() {
        Arrays.fill(nodeToHub, (byte) 0);
        Arrays.fill(hubToNode, (byte) 0);
        closed = true;
    }

    @Override
    public String toString() {
        return "SessionKeys(" + role + (closed ? ", closed)" : ")");
    }
}
