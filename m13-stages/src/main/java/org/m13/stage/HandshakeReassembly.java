package org.m13.stage;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.m13.telemetry.DropReason;
import org.m13.wire.Assembler;

/**
 * The handshake destination of scatter: reassembles fragmented handshake messages with
 * one {@link Assembler} per peer (bounded, preallocated) and hands each complete
 * message, or an unfragmented HANDSHAKE body, to a {@link MessageSink}. Duplicate
 * fragments are taken (the assembler counts them); a fragment the assembler rejects is
 * refused as {@link DropReason#FRAGMENT_REFUSED}, its detailed reason in
 * {@link #assembler(int)}'s counters.
 *
 * <p>Every FRAGMENT frame comes here for now; when jumbo tunnel packets are fragmented
 * they get their own reassembler on the tun side.
 */
public final class HandshakeReassembly implements Sink {
    private final Assembler[] assemblers;
    private final NanoClock clock;
    private final MessageSink messages;
    private long delivered;

    /**
     * Preallocates every peer's assembler.
     *
     * @param maxPeers peers (an assembler each)
     * @param slotsPerPeer messages assembled at once per peer (see {@link Assembler#Assembler(int)})
     */
    public HandshakeReassembly(int maxPeers, int slotsPerPeer, NanoClock clock, MessageSink messages) {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers " + maxPeers + " < 1");
        }
        this.assemblers = new Assembler[maxPeers];
        for (int i = 0; i < maxPeers; i++) {
            assemblers[i] = new Assembler(slotsPerPeer);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.messages = Objects.requireNonNull(messages, "messages");
    }

    @Override
    public DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
        int peer = event.peer();
        if (peer < 0 || peer >= assemblers.length) {
            return DropReason.UNKNOWN_PEER;
        }
        if (event.disposition() != Disposition.FRAGMENT) {
            messages.onMessage(peer, buffer, bodyIndex, bodyLength);
            delivered++;
            return DropReason.NONE;
        }
        Assembler assembler = assemblers[peer];
        int result = assembler.feed(buffer, bodyIndex, bodyLength, clock.nanoTime());
        if (result >= 0) {
            messages.onMessage(peer, assembler.message(result), 0, assembler.messageLength(result));
            assembler.release(result);
            delivered++;
            return DropReason.NONE;
        }
        return result == Assembler.DROPPED ? DropReason.FRAGMENT_REFUSED : DropReason.NONE;
    }

    /**
     * Drops incomplete messages older than the reassembly timeout; call from the timer tick
     * of the thread that runs scatter.
     *
     * @return messages dropped (a work count)
     */
    public int expire(long nowNanos) {
        int expired = 0;
        for (Assembler a : assemblers) {
            expired += a.expire(nowNanos);
        }
        return expired;
    }

    /** The peer's assembler, for its counters. */
    public Assembler assembler(int peer) {
        return assemblers[peer];
    }

    /** Complete messages handed on. */
    public long delivered() {
        return delivered;
    }
}
