package org.m13.stage;

import java.nio.ByteBuffer;
import org.m13.crypto.AesGcm;
import org.m13.wire.M13Header;

/**
 * The hub's receive chain parse -> decrypt -> classify -> scatter -> release over one
 * pool, with counting sinks; shared by the thread-free chain test and the ring test.
 * The node (NODE_MAC) is peer 0 with a key for phase 0.
 */
final class RxChain implements AutoCloseable {
    /** Counts frames; checks a tunnel body is the decrypted body of its frame. */
    static final class Counter implements Sink {
        long frames;
        long bytes;
        long corrupt;

        @Override
        public Drop deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
            frames++;
            bytes += bodyLength;
            long seq = buffer.getLong(bodyIndex - M13Header.BODY_OFFSET + M13Header.SEQ_OFFSET);
            if (!TestFrames.bodyMatches(buffer, bodyIndex, bodyLength, seq)) {
                corrupt++;
            }
            return Drop.NONE;
        }
    }

    final SlotPool pool;
    final MacPeerTable peers = new MacPeerTable(4);
    final SessionTable sessions = new SessionTable(4);
    final AesGcm rxKey = AesGcm.withKey(TestFrames.key(1));
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
        this.pool = pool;
        if (peers.add(TestFrames.NODE_MAC) != 0) {
            throw new AssertionError("node is peer 0");
        }
        sessions.install(0, 0, rxKey);
        handshake = new HandshakeReassembly(4, 2, NanoClock.SYSTEM, (peer, buffer, index, length) -> handshakeMessages++);
        parse = new Parse(pool, peers);
        decrypt = new Decrypt(pool, sessions, TestFrames.RECEIVER_DIRECTION);
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
