package org.m13.daemon;

import java.nio.ByteBuffer;
import org.m13.fec.Fec;
import org.m13.fec.FecDecoder;
import org.m13.fec.FecHeader;
import org.m13.fec.FecReceiver;
import org.m13.fec.Gf256;

/**
 * fec-decode, on scatter's thread: the receiving side of each peer's FEC. Source
 * symbols are delivered at once by the caller (systematic code) and, when their
 * generation has repairs planned (m &gt; 0), also given to the peer's
 * {@link FecReceiver}, which keeps the copy a repair may need; repairs go only to the
 * receiver. After either, {@link #decoder()} holds the sources the symbol made known.
 *
 * <p>On a clean link (m = 0) nothing is copied: the header is checked and stripped.
 * A receiver (a window of {@value #WINDOW} generations, about 400 KiB) is allocated
 * at a peer's first generation with repairs. A generation number far behind the
 * window means the peer's sender started afresh (a restarted node): the receiver is
 * reset rather than ignoring the new sender for 2^15 generations.
 */
public final class FecInbound {
    /** Generations decoded at once per peer. */
    public static final int WINDOW = 4;
    /** Generations older than the newest by more than this: a new sender, not a late symbol. */
    static final int RESTART_DISTANCE = 1024;
    /** How long a generation may wait for its repairs before its loss is accounted. */
    static final long EXPIRE_NANOS = 2_000_000_000L;
    private static final long EXPIRE_EVERY_NANOS = 100_000_000L;

    private final FecReceiver[] receivers;
    private final FecHeader header = new FecHeader();
    private FecDecoder decoder;
    private long nextExpire;
    private long passedThrough;
    private long restarts;
    private long refused;

    public FecInbound(int capacity) {
        receivers = new FecReceiver[capacity];
        Gf256.initialize(); // now, not on the first packet (it held the first ping ~100 ms)
    }

    /**
     * A source symbol (FEC header at {@code headerIndex}, then the packet). Checks the
     * header as the decoder would; keeps a copy only if its generation has repairs.
     *
     * @return {@link FecDecoder#SOURCE}: deliver it; {@link FecDecoder#REDUNDANT}: already
     *     delivered (recovered before it arrived), do not deliver again;
     *     {@link FecDecoder#DROPPED}: header refused
     */
    public int source(int peer, ByteBuffer buffer, int headerIndex, int length, long nowNanos) {
        decoder = null;
        header.wrap(buffer, headerIndex);
        if (header.m() == 0) {
            if (FecDecoder.check(header) != null || length - FecHeader.BYTES > Fec.MAX_SYMBOL_BYTES) {
                refused++;
                return FecDecoder.DROPPED;
            }
            passedThrough++;
            return FecDecoder.SOURCE;
        }
        return add(peer, buffer, headerIndex, length, nowNanos);
    }

    /**
     * A repair symbol.
     *
     * @return false if the decoder refused it
     */
    public boolean repair(int peer, ByteBuffer buffer, int headerIndex, int length, long nowNanos) {
        decoder = null;
        if (length < FecHeader.BYTES) {
            refused++;
            return false;
        }
        return add(peer, buffer, headerIndex, length, nowNanos) != FecDecoder.DROPPED;
    }

    private int add(int peer, ByteBuffer buffer, int headerIndex, int length, long nowNanos) {
        FecReceiver receiver = receivers[peer];
        if (receiver == null) {
            receiver = new FecReceiver(WINDOW, Fec.MAX_SYMBOL_BYTES); // once per peer
            receivers[peer] = receiver;
        } else {
            int behind = (receiver.newest() - header.wrap(buffer, headerIndex).generation()) & 0xFFFF;
            if (behind > RESTART_DISTANCE && behind < 0x8000) {
                receiver.reset();
                restarts++;
            }
        }
        if (nowNanos >= nextExpire) {
            nextExpire = nowNanos + EXPIRE_EVERY_NANOS;
            for (FecReceiver r : receivers) {
                if (r != null) {
                    var unusedClosed = r.expire(nowNanos, EXPIRE_NANOS);
                }
            }
        }
        int result = receiver.add(buffer, headerIndex, length, nowNanos);
        if (result == FecDecoder.DROPPED) {
            refused++;
        } else {
            decoder = receiver.decoder();
        }
        return result;
    }

    /** The decoder the last accepted symbol went to (read {@link FecDecoder#recovered()}), or null. */
    public FecDecoder decoder() {
        return decoder;
    }

    /** Sources of closed generations neither received nor recovered, all peers. */
    public long unrecoverable() {
        long sum = 0;
        for (FecReceiver r : receivers) {
            if (r != null) {
                sum += r.unrecoverable();
            }
        }
        return sum;
    }

    /** Generations closed before any of their repairs arrived (their losses are not in {@link #unrecoverable()}). */
    public long closedWithoutRepair() {
        long sum = 0;
        for (FecReceiver r : receivers) {
            if (r != null) {
                sum += r.closedWithoutRepair();
            }
        }
        return sum;
    }

    /** Source symbols of generations without repairs: delivered without a copy. */
    public long passedThrough() {
        return passedThrough;
    }

    /** Symbols whose FEC header was refused. */
    public long refused() {
        return refused;
    }

    /** Receivers reset because their peer's sender started afresh. */
    public long restarts() {
        return restarts;
    }
}
