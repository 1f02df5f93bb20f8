package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.m13.sys.Native;
import org.m13.sys.OffHeap;
import org.m13.sys.Tun;
import org.m13.sys.TunDevice;

/**
 * An in-memory TUN device. Reads return, in this order, packets queued by
 * {@link #write} in echo mode (the packet with source and destination swapped, as a
 * host answering it would) and packets from the built-in generator (IPv4/UDP from
 * {@code source} to {@code destination}, payload = a sequence number); writes that are
 * not echoed are checked and counted (in order? each sequence number once?). One thread
 * reads, one writes.
 */
public final class MemoryTun implements TunDevice {
    private static final int HEADER = 28; // IPv4 20 + UDP 8
    private final SpscFrames echoes;
    private final boolean echo;
    private final int source;
    private final int destination;
    private final int packetBytes;
    private final OffHeap template;
    private final long toGenerate;
    private long generated;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private long highest = -1;
    /** Sequence numbers written to this TUN (the generator's packets coming back), for loss by position. */
    private final BitSet seen;
    private final OffHeap swap = OffHeap.allocate(2048);

    /**
     * @param generate packets the generator produces (0: none)
     * @param packetBytes size of each generated packet (at least 36)
     * @param echo answer every packet written by queuing it back for reading, else count it
     */
    public MemoryTun(int source, int destination, long generate, int packetBytes, boolean echo) {
        if (packetBytes < HEADER + 8 || packetBytes > 2048) {
            throw new IllegalArgumentException("packet size " + packetBytes);
        }
        this.source = source;
        this.destination = destination;
        this.toGenerate = generate;
        this.packetBytes = packetBytes;
        this.echo = echo;
        this.seen = new BitSet((int) Math.min(generate, 1 << 24));
        this.echoes = new SpscFrames(4096, 2048);
        this.template = OffHeap.allocate(packetBytes);
        ByteBuffer t = template.buffer();
        t.put(0, (byte) 0x45).putShort(2, (short) packetBytes).put(8, (byte) 64).put(9, (byte) 17);
        t.putInt(12, source).putInt(16, destination);
        t.putShort(20, (short) 5000).putShort(22, (short) 5001).putShort(24, (short) (packetBytes - 20));
    }

    @Override
    public int read(long address, int length) {
        int n = echoes.poll(address, length);
        if (n > 0) {
            return n;
        }
        if (generated >= toGenerate || length < packetBytes) {
            return 0;
        }
        template.buffer().putLong(HEADER, generated++);
        Native.copy(template.address(), address, packetBytes);
        return packetBytes;
    }

    @Override
    public int write(long address, int length) {
        if (echo) {
            Native.copy(address, swap.address(), length);
            ByteBuffer s = swap.buffer();
            int from = s.getInt(12);
            s.putInt(12, s.getInt(16)).putInt(16, from);
            while (!echoes.offer(swap.address(), length)) {
                Thread.onSpinWait(); // the reader is behind
            }
            echoed.lazySet(echoed.get() + 1);
            return length;
        }
        Native.copy(address, swap.address(), Math.min(length, HEADER + 8));
        long seq = swap.buffer().getLong(HEADER);
        if (seq >= 0 && seq < seen.size()) {
            seen.set((int) seq); // within the preallocated words: no allocation
        }
        if (seq <= highest) {
            outOfOrder.lazySet(outOfOrder.get() + 1);
        } else {
            highest = seq;
        }
        received.lazySet(received.get() + 1);
        receivedBytes.lazySet(receivedBytes.get() + length);
        return length;
    }

    @Override
    public int poll(int events, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (echoes.isEmpty() && generated >= toGenerate) {
            if (System.nanoTime() - deadline >= 0) {
                return 0;
            }
            LockSupport.parkNanos(20_000);
        }
        return Tun.POLLIN;
    }

    /** Packets written and counted (not echoed). */
    public long received() {
        return received.get();
    }

    public long receivedBytes() {
        return receivedBytes.get();
    }

    /** Generated packets from sequence number {@code from} on that never came back (read when quiet). */
    public long missingFrom(long from) {
        long missing = 0;
        long end = Math.min(generated, seen.size());
        for (long i = Math.max(0, from); i < end; i++) {
            if (!seen.get((int) i)) {
                missing++;
            }
        }
        return missing;
    }

    /** Counted packets whose sequence number was not above every earlier one. */
    public long outOfOrder() {
        return outOfOrder.get();
    }

    public long echoed() {
        return echoed.get();
    }

    /** Packets the generator produced so far (reader thread's counter). */
    public long generated() {
        return generated;
    }

    public int source() {
        return source;
    }

    public int destination() {
        return destination;
    }
}
