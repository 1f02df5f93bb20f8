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
    private final TxProducer out;
    private final FragmentHeader fragment = new FragmentHeader();
    private int peer;
    private final int chunkBytes;
    private long fragments;
    private long failed;

    public HandshakeLink(TxProducer out, int chunkBytes) {
        this.out = out;
        this.chunkBytes = chunkBytes;
    }

    /** Directs what the next driver call sends to {@code peer}. */
    public HandshakeLink to(int peer) {
        this.peer = peer;
        return this;
    }

    @Override
    public void sendFragment(int msgId, int index, int count, byte[] chunk) {
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
    }

    @Override
    public void sendAck(int msgId, int bitmap) {
        send(org.m13.handshake.HandshakeAck.encode(msgId, bitmap));
    }

    @Override
    public void sendMessage(byte[] message) {
        send(message);
    }

    private void send(byte[] message) {
        if (!out.send(peer, Flags.CONTROL | Flags.HANDSHAKE, message, 0, message.length, false, System.nanoTime())) {
            failed++;
        }
    }

    /** Fragments sent. */
    public long fragments() {
        return fragments;
    }

    /** Frames that found no free slot. */
    public long failed() {
        return failed;
    }
}
