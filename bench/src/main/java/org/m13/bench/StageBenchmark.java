package org.m13.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.m13.crypto.AesGcm;
import org.m13.stage.Classify;
import org.m13.stage.Decrypt;
import org.m13.stage.Disposition;
import org.m13.stage.FrameEvent;
import org.m13.stage.MacPeerTable;
import org.m13.stage.NanoClock;
import org.m13.stage.Parse;
import org.m13.stage.Release;
import org.m13.stage.Scatter;
import org.m13.stage.Seal;
import org.m13.stage.SendSessionTable;
import org.m13.stage.SessionTable;
import org.m13.stage.Sink;
import org.m13.stage.SlotPool;
import org.m13.telemetry.DropReason;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of each pipeline stage alone, in ns per frame: each invocation runs one stage over
 * a batch of {@value #BATCH} frames prepared in a {@link SlotPool} (hub side, UDP offset,
 * TUNNEL frames from one known peer). Where a stage changes what it works on (decrypt and
 * seal work in place, the replay window remembers seqs, release frees the slots) the batch
 * is restored before each invocation, outside the timing (JMH {@code Level.Invocation},
 * whose own cost is a few ns per 256-frame batch).
 *
 * <p>Every check at the end of a trial fails it if the stage dropped a frame (a benchmark
 * of a drop path would be measuring the wrong thing).
 *
 * <p>{@code eventReset} is the cost of re-arming one {@link FrameEvent}, which parse,
 * classify and scatter include (about the work a producer does per frame).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@OperationsPerInvocation(StageBenchmark.BATCH)
public class StageBenchmark {
    static final int BATCH = 256;

    /** Sealed frames as the link delivered them, for parse (which only reads them); {@code size} = body bytes. */
    @State(Scope.Thread)
    public static class Received {
        @Param({"64", "1400"})
        public int size;

        SlotPool pool;
        int length;
        final MacPeerTable peers = new MacPeerTable(1);
        final FrameEvent event = new FrameEvent();
        Parse parse;

        @Setup(Level.Trial)
        public void setUp() {
            pool = new SlotPool(BATCH, SlotPool.DEFAULT_SLOT_BYTES);
            try (AesGcm key = BenchFrames.key()) {
                length = BenchFrames.sealAll(pool, key, size);
            }
            if (peers.add(BenchFrames.NODE_MAC) != 0) {
                throw new IllegalStateException("the node is peer 0");
            }
            parse = new Parse(pool, peers);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (parse.drops().total() != 0) {
                throw new IllegalStateException("parse dropped frames: " + parse.drops());
            }
        }
    }

    /**
     * Sealed frames for decrypt, which opens them in place: before each batch the sealed
     * bytes are copied back and the peer gets a fresh replay window (the seqs repeat), the
     * one allocation of this benchmark (about 1 KB per batch, 4 B per frame, in the setup).
     */
    @State(Scope.Thread)
    public static class Rx {
        @Param({"64", "1400"})
        public int size;

        SlotPool pool;
        ByteBuffer sealed;
        int length;
        AesGcm key;
        final SessionTable sessions = new SessionTable(1);
        final FrameEvent[] events = new FrameEvent[BATCH];
        Decrypt decrypt;

        @Setup(Level.Trial)
        public void setUp() {
            pool = new SlotPool(BATCH, SlotPool.DEFAULT_SLOT_BYTES);
            key = BenchFrames.key();
            length = BenchFrames.sealAll(pool, key, size);
            sealed = ByteBuffer.allocateDirect(pool.slots() * pool.slotBytes());
            sealed.put(0, pool.buffer(), 0, sealed.capacity());
            sessions.install(0, 0, key);
            decrypt = new Decrypt(pool, sessions, BenchFrames.RECEIVER);
            for (int i = 0; i < BATCH; i++) {
                events[i] = new FrameEvent();
            }
        }

        /** The sealed bytes back in every slot, a fresh replay window, the events re-armed. */
        @Setup(Level.Invocation)
        public void restore() {
            pool.buffer().put(0, sealed, 0, sealed.capacity());
            sessions.install(0, 0, key);
            for (int i = 0; i < BATCH; i++) {
                events[i].received(i, BenchFrames.OFFSET, length, 0).peer(0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (decrypt.drops().total() != 0) {
                throw new IllegalStateException("decrypt dropped frames: " + decrypt.drops());
            }
            key.close();
        }
    }

    /** Frames decrypt already opened, for the stages after it (they do not change the bytes). */
    @State(Scope.Thread)
    public static class Opened {
        SlotPool pool;
        int length;
        final FrameEvent event = new FrameEvent();
        Classify classify;
        Scatter scatter;
        long tunBytes;

        @Setup(Level.Trial)
        public void setUp() {
            pool = new SlotPool(BATCH, SlotPool.DEFAULT_SLOT_BYTES);
            SessionTable sessions = new SessionTable(1);
            try (AesGcm key = BenchFrames.key()) {
                length = BenchFrames.sealAll(pool, key, 1400);
                sessions.install(0, 0, key);
                Decrypt decrypt = new Decrypt(pool, sessions, BenchFrames.RECEIVER);
                for (int i = 0; i < BATCH; i++) {
                    decrypt.onEvent(event.received(i, BenchFrames.OFFSET, length, 0).peer(0));
                    if (event.isDropped()) {
                        throw new IllegalStateException("decrypt dropped a frame: " + event.drop());
                    }
                }
            }
            classify = new Classify(pool);
            Sink tun = (e, buffer, bodyIndex, bodyLength) -> {
                tunBytes += bodyLength;
                return DropReason.NONE;
            };
            scatter = new Scatter(pool, tun, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (classify.drops().total() != 0 || scatter.drops().total() != 0) {
                throw new IllegalStateException("frames dropped: classify " + classify.drops() + ", scatter "
                        + scatter.drops());
            }
        }
    }

    /** Send side: what the producer wrote, restored before each batch since seal works in place. */
    @State(Scope.Thread)
    public static class Tx {
        @Param({"64", "1400"})
        public int size;

        SlotPool pool;
        ByteBuffer plain;
        int length;
        AesGcm key;
        final FrameEvent[] events = new FrameEvent[BATCH];
        Seal seal;

        @Setup(Level.Trial)
        public void setUp() {
            pool = new SlotPool(BATCH, SlotPool.DEFAULT_SLOT_BYTES);
            for (int i = 0; i < BATCH; i++) {
                length = BenchFrames.plain(pool, i, size);
                events[i] = new FrameEvent();
            }
            plain = ByteBuffer.allocateDirect(pool.slots() * pool.slotBytes());
            plain.put(0, pool.buffer(), 0, plain.capacity());
            key = BenchFrames.key();
            SendSessionTable send = new SendSessionTable(1);
            send.install(0, 0, key);
            seal = new Seal(pool, send, BenchFrames.SENDER);
        }

        @Setup(Level.Invocation)
        public void restore() {
            pool.buffer().put(0, plain, 0, plain.capacity());
            for (int i = 0; i < BATCH; i++) {
                events[i].received(i, BenchFrames.OFFSET, length, 0).peer(0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (seal.drops().total() != 0) {
                throw new IllegalStateException("seal dropped frames: " + seal.drops());
            }
            key.close();
        }
    }

    /** A batch of allocated slots for release to free. */
    @State(Scope.Thread)
    public static class InUse {
        final SlotPool pool = new SlotPool(BATCH, SlotPool.DEFAULT_SLOT_BYTES);
        final Release release = new Release(pool, NanoClock.SYSTEM);
        final FrameEvent[] events = new FrameEvent[BATCH];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < BATCH; i++) {
                events[i] = new FrameEvent();
            }
        }

        @Setup(Level.Invocation)
        public void allocate() {
            for (int i = 0; i < BATCH; i++) {
                events[i].received(pool.alloc(), BenchFrames.OFFSET, 1462, 0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (pool.inUse() != 0 || pool.exhausted() != 0) {
                throw new IllegalStateException("slots leaked: " + pool.inUse());
            }
        }
    }

    /** Re-arming an event for a frame, as parse, classify and scatter below do per frame. */
    @Benchmark
    public long eventReset(Opened o) {
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += o.event.received(i, BenchFrames.OFFSET, o.length, 0).peer(0).length();
        }
        return sum;
    }

    /** Bounds, Ethernet and outer M13 header checks, peer lookup by source MAC. */
    @Benchmark
    public long parse(Received r) {
        for (int i = 0; i < BATCH; i++) {
            r.parse.onEvent(r.event.received(i, BenchFrames.OFFSET, r.length, 0));
        }
        return r.parse.events();
    }

    /** Replay check, AES-256-GCM open in place (native), replay update, inner header checks. */
    @Benchmark
    public long decrypt(Rx rx) {
        FrameEvent[] events = rx.events;
        for (int i = 0; i < BATCH; i++) {
            rx.decrypt.onEvent(events[i]);
        }
        return rx.decrypt.opened();
    }

    /** Disposition from the flags, cleartext policy. */
    @Benchmark
    public long classify(Opened o) {
        for (int i = 0; i < BATCH; i++) {
            o.classify.onEvent(o.event.received(i, BenchFrames.OFFSET, o.length, 0).peer(0));
        }
        return o.classify.classified(Disposition.TUNNEL);
    }

    /** Routing a TUNNEL frame to its sink (a sink that only counts). */
    @Benchmark
    public long scatter(Opened o) {
        for (int i = 0; i < BATCH; i++) {
            o.scatter.onEvent(o.event.received(i, BenchFrames.OFFSET, o.length, 0).peer(0)
                    .disposition(Disposition.TUNNEL));
        }
        return o.tunBytes;
    }

    /** Header for seal, next seq, AES-256-GCM seal in place (native). */
    @Benchmark
    public long seal(Tx tx) {
        FrameEvent[] events = tx.events;
        for (int i = 0; i < BATCH; i++) {
            tx.seal.onEvent(events[i]);
        }
        return tx.seal.sealed();
    }

    /** Slot back to the pool, drop accounting, latency from rxNanos (one clock read). */
    @Benchmark
    public long release(InUse u) {
        FrameEvent[] events = u.events;
        for (int i = 0; i < BATCH; i++) {
            u.release.onEvent(events[i]);
        }
        return u.release.released();
    }
}
