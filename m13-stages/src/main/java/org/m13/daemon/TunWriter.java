package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;
import java.util.function.LongConsumer;
import org.m13.config.FecSettings;
import org.m13.fec.FecDecoder;
import org.m13.fec.FecHeader;
import org.m13.stage.FrameEvent;
import org.m13.stage.Sink;
import org.m13.stage.SlotPool;
import org.m13.sys.OffHeap;
import org.m13.sys.TunDevice;
import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;

/**
 * tun-write: scatter's TUNNEL destination (and, through {@link #repairSink()}, its FEC
 * one). Writes the inner IPv4 packet from the RX slot straight into the TUN device. On
 * the hub the packet's source address must be the tunnel address the hub gave that
 * peer (a node cannot speak for another node or for the internet): otherwise it is
 * refused as {@link DropReason#INNER_SOURCE}.
 *
 * <p>FEC ({@link FecInbound}): a source symbol ({@code TUNNEL | FEC}) is written at once
 * without its 8-byte header; a repair goes to the decoder only. Sources the decoder
 * recovers (after a source or a repair) are copied out of it into a scratch buffer and
 * written with the same checks.
 *
 * <p>Order ({@link #reorder}, on by default in the daemons): FEC-coded packets pass
 * through {@link TunReorder}, which writes them in the order the peer sent them; a
 * packet behind a gap is copied and held until the gap fills or its bound passes.
 * Those copies and the rebuilt packets are the only copies on this path.
 */
public final class TunWriter implements Sink {
    private static final int FLAGS_FROM_BODY = M13Header.BODY_OFFSET - M13Header.FLAGS_OFFSET;

    private final TunDevice tun;
    private final SlotPool pool;
    private final PeerTable peers;
    private final boolean checkSource;
    private final FecInbound fec;
    private final OffHeap scratchRegion = OffHeap.allocate(2048);
    private final ByteBuffer scratch = scratchRegion.buffer();
    private final long scratchAddress = scratchRegion.address();
    private final Sink repairSink = this::deliverRepair;
    private long written;
    private long bytes;
    private long recovered;
    private long recoveredRefused;
    private long redundantSources;
    private final FecHeader header = new FecHeader();
    private final TunReorder.Writer checkedWrite = this::write;
    private TunReorder reorder;
    private LongConsumer wakeAt = nanos -> {
    };

    public TunWriter(TunDevice tun, SlotPool pool, PeerTable peers, boolean checkSource) {
        this.tun = tun;
        this.pool = pool;
        this.peers = peers;
        this.checkSource = checkSource;
        this.fec = new FecInbound(peers.capacity());
    }

    /**
     * Restores each peer's order before the TUN write ({@code fec.reorder-ms}; 0: off).
     * Before the rings start.
     *
     * @param jitterMicros the jitter measured on a peer's frames (the bound's default)
     * @param wakeAt asks the RX ring for a timer tick ({@code RingPipeline::wakeAt}),
     *     which scatter passes to {@link #onTimer}
     */
    public void reorder(FecSettings fec, IntToLongFunction jitterMicros, LongConsumer wakeAt) {
        if (fec.reorderNanos() == 0) {
            return;
        }
        this.reorder = new TunReorder(peers.capacity(), checkedWrite, fec.reorderNanos(), fec.maxDelayNanos(),
                jitterMicros);
        this.wakeAt = wakeAt;
    }

    /** Scatter's timer tick: writes the held packets whose bound passed. */
    public void onTimer(long nowNanos) {
        if (reorder != null) {
            reorder.poll(nowNanos);
            askForTimer();
        }
    }

    @Override
    public DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
        if ((buffer.get(bodyIndex - FLAGS_FROM_BODY) & Flags.FEC) == 0) {
            return write(event.peer(), buffer, bodyIndex, pool.address() + bodyIndex, bodyLength);
        }
        if (bodyLength < FecHeader.BYTES) {
            return DropReason.FEC_REFUSED;
        }
        int peer = event.peer();
        int verdict = fec.source(peer, buffer, bodyIndex, bodyLength, System.nanoTime());
        if (verdict == FecDecoder.DROPPED) {
            return DropReason.FEC_REFUSED;
        }
        DropReason result = DropReason.NONE;
        long now = System.nanoTime();
        if (verdict == FecDecoder.SOURCE) {
            int data = bodyIndex + FecHeader.BYTES;
            if (reorder == null) {
                result = write(peer, buffer, data, pool.address() + data, bodyLength - FecHeader.BYTES);
            } else {
                header.wrap(buffer, bodyIndex);
                result = reorder.source(peer, header.generation(), header.index(), header.m(), buffer, data,
                        pool.address() + data, bodyLength - FecHeader.BYTES, now);
            }
        } else {
            redundantSources++; // recovered before it arrived: delivered already
        }
        writeRecovered(peer, now);
        askForTimer();
        return result;
    }

    private void askForTimer() {
        long tick = reorder == null ? -1 : reorder.takeWakeRequest();
        if (tick >= 0) {
            wakeAt.accept(tick);
        }
    }

    /** Scatter's FEC destination: repair symbols. */
    public Sink repairSink() {
        return repairSink;
    }

    private DropReason deliverRepair(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
        int peer = event.peer();
        long now = System.nanoTime();
        if (!fec.repair(peer, buffer, bodyIndex, bodyLength, now)) {
            return DropReason.FEC_REFUSED;
        }
        writeRecovered(peer, now);
        if (reorder != null) {
            header.wrap(buffer, bodyIndex); // a repair carries its generation's real size
            reorder.closed(peer, header.generation(), header.k(), now);
            askForTimer();
        }
        return DropReason.NONE;
    }

    private void writeRecovered(int peer, long now) {
        FecDecoder decoder = fec.decoder();
        if (decoder == null) {
            return;
        }
        for (int mask = decoder.recovered(); mask != 0; mask &= mask - 1) {
            int index = Integer.numberOfTrailingZeros(mask);
            int length = decoder.take(index, scratch, 0);
            if (length < 0) {
                recoveredRefused++;
                continue;
            }
            DropReason verdict = reorder == null ? write(peer, scratch, 0, scratchAddress, length)
                    : reorder.source(peer, decoder.generation(), index, -1, scratch, 0, scratchAddress, length, now);
            if (verdict == DropReason.NONE) {
                recovered++;
            } else {
                recoveredRefused++;
            }
        }
    }

    private DropReason write(int peer, ByteBuffer buffer, int index, long address, int length) {
        if (length < 20 || (buffer.get(index) & 0xF0) != 0x40) {
            return DropReason.NOT_IP;
        }
        if (checkSource && buffer.getInt(index + 12) != peers.tunnelAddress(peer)) {
            return DropReason.INNER_SOURCE;
        }
        int n = tun.write(address, length);
        if (n != length) {
            return DropReason.TUN_WRITE_FAILED;
        }
        written++;
        bytes += length;
        return DropReason.NONE;
    }

    public long written() {
        return written;
    }

    public long bytes() {
        return bytes;
    }

    /** Packets the link lost that FEC rebuilt and wrote. */
    public long recovered() {
        return recovered;
    }

    /** Rebuilt packets refused by the checks (not IP, wrong inner source, TUN refused). */
    public long recoveredRefused() {
        return recoveredRefused;
    }

    /** Source symbols that arrived after FEC had rebuilt them (not written twice). */
    public long redundantSources() {
        return redundantSources;
    }

    public FecInbound fec() {
        return fec;
    }

    /** The reorder stage, or null when off. */
    public TunReorder reorder() {
        return reorder;
    }
}
