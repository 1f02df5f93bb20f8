package org.m13.daemon;

import org.m13.stage.Disposition;

/**
 * A control-ring event: a copy of one received control, FIN or handshake body (the RX
 * slot is freed right after scatter, and the control thread may take milliseconds of
 * PQC work before it gets to it), with who sent it. Pre-allocated, reused.
 */
public final class ControlEvent {
    /** Bodies larger than this are not control messages (the largest, a fragment, is 1410 bytes). */
    public static final int MAX_BODY = 1536;

    private final byte[] body = new byte[MAX_BODY];
    private final byte[] tag = new byte[16];
    private int flags;
    private int length;
    private Disposition disposition = Disposition.PENDING;
    private int peer;
    private long source;
    private long mac;
    private boolean authenticated;
    private long rxNanos;

    void fill(Disposition disposition, int peer, long source, long mac, boolean authenticated, long rxNanos) {
        this.disposition = disposition;
        this.peer = peer;
        this.source = source;
        this.mac = mac;
        this.authenticated = authenticated;
        this.rxNanos = rxNanos;
    }

    void length(int length) {
        this.length = length;
    }

    void flags(int flags) {
        this.flags = flags;
    }

    /** The frame's flags byte. */
    public int flags() {
        return flags;
    }

    /**
     * The M13 header's tag field: the AEAD tag of a sealed frame, the per-frame mac1 of a
     * cleartext one from a node ({@link org.m13.handshake.FrameMac}). Valid during the call.
     */
    public byte[] tag() {
        return tag;
    }

    /** The body bytes {@code [0, length())}; valid only during the handler's call. */
    public byte[] body() {
        return body;
    }

    public int length() {
        return length;
    }

    public Disposition disposition() {
        return disposition;
    }

    /** The sender's peer index, or {@link org.m13.stage.FrameEvent#NO_PEER} (registration). */
    public int peer() {
        return peer;
    }

    /** The sender's outer address ({@link Outer#address}); 0 on the node. */
    public long source() {
        return source;
    }

    /** The sender's Ethernet source MAC. */
    public long mac() {
        return mac;
    }

    /** Whether the frame was sealed and opened (FIN, keepalive, address), not cleartext. */
    public boolean authenticated() {
        return authenticated;
    }

    public long rxNanos() {
        return rxNanos;
    }
}
