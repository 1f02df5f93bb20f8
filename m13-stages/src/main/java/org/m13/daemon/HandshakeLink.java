package org.m13.daemon;

import org.m13.handshake.HandshakeOutbox;
import org.m13.wire.FragmentHeader;
import org.m13.wire.Flags;

/**
 * The handshake drivers' outbox on a real link: each fragment becomes one cleartext
 * frame with flags CONTROL | HANDSHAKE | FRAGMENT and the fragment header of
 * docs/PROTOCOL.md §5 (message id mod 2^16, index, total = data fragments, offset =
 * index x chunk, length; the parity fragment has index = total), each ACK and
 * CookieReply one CONTROL | HANDSHAKE frame whose body is the message. Handshake
 * messages authenticate themselves, so none of these is sealed. Control thread only:
 * set the peer with {@link #to} before each driver call.
 */
public final class HandshakeLink implements HandshakeOutbox {
    /** Decides whether a frame of {@code frameBytes} (on the wire) may go to {@code peer} now. */
    @FunctionalInterface
    public interface Gate {
        Gate OPEN = (peer, frameBytes) -> true;

        boolean allow(int peer, int frameBytes);
    }

    /** Bytes an IPv4 + UDP datagram adds to a frame on the wire. */
    public static final int DATAGRAM_OVERHEAD = 28;

    private final TxProducer out;
    private final FragmentHeader fragment = new FragmentHeader();
    private Gate gate = Gate.OPEN;
    private java.util.function.IntConsumer onResend = peer -> {
    };
    private boolean resending;
    private int ackPadding;
    private long gated;
    private int peer;
    private final int chunkBytes;
    private long fragments;
    private long failed;

    public HandshakeLink(TxProducer out, int chunkBytes) {
        this.out = out;
        this.chunkBytes = chunkBytes;
    }

    /** Every frame asks {@code gate} first (the hub: the 3x limit toward unvalidated addresses). */
    public HandshakeLink gate(Gate gate) {
        this.gate = gate;
        return this;
    }

    /**
     * Pads every ACK to {@code bodyBytes} (zeros after the 7 ACK bytes): the node's ACKs
     * then earn the hub enough of its 3x allowance to repair a lost ServerHello fragment.
     */
    public HandshakeLink padAcks(int bodyBytes) {
        this.ackPadding = bodyBytes;
        return this;
    }

    /**
     * Fragments sent while {@link #resending(boolean)} is on are reported to {@code listener}
     * with their peer (the control thread's per-peer retransmission count).
     */
    public HandshakeLink onResend(java.util.function.IntConsumer listener) {
        this.onResend = listener;
        return this;
    }

    /** Marks the driver calls that follow as timer or repair calls (their fragments are resends). */
    public void resending(boolean on) {
        this.resending = on;
    }

    /** Directs what the next driver call sends to {@code peer}. */
    public HandshakeLink to(int peer) {
        this.peer = peer;
        return this;
    }

    @Override
    public void sendFragment(int msgId, int index, int count, byte[] chunk) {
        if (!gate.allow(peer, org.m13.wire.Wire.MIN_FRAME_BYTES + FragmentHeader.BYTES + chunk.length
                + DATAGRAM_OVERHEAD)) {
            gated++;
            return; // the flight's timer resends it once the peer has sent more
        }
        int slot = out.claim();
        if (slot < 0) {
            failed++;
            return;
        }
        int body = out.bodyIndex(slot);
        fragment.wrap(out.pool().buffer(), body).msgId(msgId & 0xFFFF).index(index).total(count)
                .offset(index * chunkBytes).length(chunk.length);
        out.pool().buffer().put(body + FragmentHeader.BYTES, chunk);
        out.publish(slot, peer, Flags.CONTROL | Flags.HANDSHAKE | Flags.FRAGMENT, FragmentHeader.BYTES + chunk.length,
                false, System.nanoTime());
        fragments++;
        if (resending) {
            onResend.accept(peer);
        }
    }

    @Override
    public void sendAck(int msgId, int bitmap) {
        byte[] ack = org.m13.handshake.HandshakeAck.encode(msgId, bitmap);
        send(ackPadding > ack.length ? java.util.Arrays.copyOf(ack, ackPadding) : ack);
    }

    @Override
    public void sendMessage(byte[] message) {
        send(message);
    }

    private void send(byte[] message) {
        if (!gate.allow(peer, org.m13.wire.Wire.MIN_FRAME_BYTES + message.length + DATAGRAM_OVERHEAD)) {
            gated++;
            return;
        }
        if (!out.send(peer, Flags.CONTROL | Flags.HANDSHAKE, message, 0, message.length, false, System.nanoTime())) {
            failed++;
        }
    }

    /** Fragments sent. */
    public long fragments() {
        return fragments;
    }

    /** Frames the gate held back. */
    public long gated() {
        return gated;
    }

    /** Frames that found no free slot. */
    public long failed() {
        return failed;
    }
}
