package org.m13.stage;

import java.nio.ByteBuffer;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.M13Header;

/**
 * The hub's receive chain parse -> decrypt -> classify -> scatter -> release over one
 * pool, with counting sinks; shared by the thread-free chain test and the ring test.
 * By default this is the hub: the node (NODE_MAC) is peer 0 with key(1) for phase 0.
 */
final class RxChain implements AutoCloseable {
    /**
     * Counts frames; checks a body is the decrypted body of its frame (the pattern for the
     * frame's seq); then hands it to {@link #forward} if set.
     */
    static final class Counter implements Sink {
        long frames;
        long bytes;
        long corrupt;
        Sink forward;

        @Override
        public DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
            frames++;
            bytes += bodyLength;
            long seq = buffer.getLong(bodyIndex - M13Header.BODY_OFFSET + M13Header.SEQ_OFFSET);
            if (!TestFrames.bodyMatches(buffer, bodyIndex, bodyLength, seq)) {
                corrupt++;
            }
            return forward == null ? DropReason.NONE : forward.deliver(event, buffer, bodyIndex, bodyLength);
        }
    }

    final SlotPool pool;
    final MacPeerTable peers = new MacPeerTable(4);
    final SessionTable sessions = new SessionTable(4);
    final AesGcm rxKey;
    final Counter tun = new Counter();
    final Counter control = new Counter();
    final Counter feedback = new Counter();
    long handshakeMessages;
    final HandshakeReassembly handshake;
    final Parse parse;
    final Decrypt decrypt;
    final Classify classify;
    final Scatter scatter;
    final Release release;

    RxChain(SlotPool pool) {
        this(pool, TestFrames.RECEIVER_DIRECTION, TestFrames.NODE_MAC, 1);
    }

    /** A receiver of direction {@code ourDirection} whose one peer (index 0) has {@code peerMac} and key(keySeed). */
    RxChain(SlotPool pool, int ourDirection, long peerMac, int keySeed) {
        this.pool = pool;
        if (peers.add(peerMac) != 0) {
            throw new AssertionError("the peer is peer 0");
        }
        rxKey = AesGcm.withKey(TestFrames.key(keySeed));
        sessions.install(0, 0, rxKey);
        handshake = new HandshakeReassembly(4, 2, NanoClock.SYSTEM, (peer, buffer, index, length) -> handshakeMessages++);
        parse = new Parse(pool, peers);
        decrypt = new Decrypt(pool, sessions, ourDirection);
        classify = new Classify(pool);
        scatter = new Scatter(pool, tun, control, handshake, Sink.UNWIRED, feedback);
        release = new Release(pool, NanoClock.SYSTEM);
    }

    Stage[] stages() {
        return new Stage[] {parse, decrypt, classify, scatter, release};
    }

    /** Drops counted by the stages that made them; release's total must equal it. */
    long stageDrops() {
        return parse.drops().total() + decrypt.drops().total() + classify.drops().total() + scatter.drops().total();
    }

    @Override
    public void close() {
        rxKey.close();
    }
}
