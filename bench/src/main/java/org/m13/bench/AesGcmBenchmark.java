package org.m13.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.m13.crypto.AesGcm;
import org.m13.sys.OffHeap;
import org.m13.wire.Direction;
import org.m13.wire.Wire;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Data-plane AEAD: seal and open of one frame in place, by body size. Besides ops/s,
 * JMH reports the secondary result {@code frameBytes}: bytes of M13 header + body
 * processed per second (divide by 10^6 for MB/s). {@code open} first restores the
 * sealed bytes with one bulk copy; {@code copyBaseline} measures that copy alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AesGcmBenchmark {
    private static final int SIG = Wire.ETH_HEADER_BYTES;

    @Param({"64", "512", "1400"})
    public int size;

    private AesGcm tx;
    private AesGcm rx;
    private OffHeap frame;
    private OffHeap sealed;
    private ByteBuffer sealedView;
    private long sig;
    private int sigLength;
    private long seq;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] key = new byte[AesGcm.KEY_BYTES];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7);
        }
        tx = AesGcm.withKey(key);
        rx = AesGcm.withKey(key);
        sigLength = Wire.M13_HEADER_BYTES + size;
        frame = OffHeap.allocate(SIG + sigLength);
        frame.buffer().put(SIG, (byte) Wire.MAGIC).put(SIG + 1, (byte) Wire.VERSION)
                .put(SIG + 2, (byte) Wire.CRYPTO_AES_256_GCM);
        sig = frame.address() + SIG;
        sealed = OffHeap.allocate(SIG + sigLength);
        if (tx.sealFrame(sig, sigLength, 1, Direction.NODE_TO_HUB) != 0) {
            throw new IllegalStateException("seal failed in setup");
        }
        sealed.buffer().put(0, frame.buffer(), 0, SIG + sigLength);
        sealedView = sealed.buffer().duplicate().limit(SIG + sigLength);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tx.close();
        rx.close();
    }

    /** Bytes handled, reported by JMH as a rate next to ops/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long frameBytes;

        @Setup(Level.Iteration)
        public void reset() {
            frameBytes = 0;
        }
    }

    @Benchmark
    public int seal(Bytes bytes) {
        bytes.frameBytes += sigLength;
        return tx.sealFrame(sig, sigLength, ++seq, Direction.NODE_TO_HUB);
    }

    @Benchmark
    public int open(Bytes bytes) {
        bytes.frameBytes += sigLength;
        frame.buffer().put(0, sealedView, 0, SIG + sigLength);
        return rx.openFrame(sig, sigLength, Direction.HUB_TO_NODE);
    }

    @Benchmark
    public ByteBuffer copyBaseline() {
        return frame.buffer().put(0, sealedView, 0, SIG + sigLength);
    }
}
