package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.m13.config.FecSettings;
import org.m13.fec.Fec;
import org.m13.fec.FecEncoder;
import org.m13.fec.FecHeader;
import org.m13.fec.FecPolicy;
import org.m13.fec.Gf256;
import org.m13.stage.SlotPool;
import org.m13.wire.Flags;
import org.m13.wire.Wire;

/**
 * fec-encode, on the TUN reader's thread: every tunnel packet to a peer goes out as a
 * source symbol of that peer's current generation (flags {@code TUNNEL | FEC}, the
 * 8-byte FEC header in front of the packet, which the reader left room for), and when
 * the generation is full, or older than {@code fec.max-delay-ms}, its m repairs follow
 * as frames of their own (flag {@code FEC}), sealed like any other. k and m of each
 * generation come from the peer's latest feedback ({@link LinkFeedback#plan}); on a
 * clean link m is 0 and nothing but the header is added. Before the peer's first
 * report the link is unknown and the first generations carry {@code maxK / 8} (at
 * least 1) repairs: a lossy link's first round trip is then not unprotected, and a
 * clean one pays about 12 % on its first few dozen packets ({@link #probeRepairs()}).
 *
 * <p>Why here: the repairs are new frames, and only a producer may add frames to the
 * TX ring; the encoder folds each source into the repairs as it passes (no copy of the
 * sources is kept). One thread; an encoder per peer allocated at its first packet.
 * A generation closed early (a burst ended, or a slow link) with s of its k sources
 * carries only the repairs an s-source generation needs at the plan's design loss
 * ({@link FecPolicy#repairsFor}), not all m.
 */
public final class FecOutbound {
    /** The loss the first generations (before any report) are sized for when closed early. */
    private static final double PROBE_LOSS = 0.02;


    private final TxProducer out;
    private final LinkFeedback feedback;
    private final FecSettings settings;
    private final FecEncoder[] encoders;
    private final int[] generations;
    private final double[] designLoss;
    /** Only for {@link FecPolicy#repairsFor}: the repairs of a generation closed early. */
    private final FecPolicy sizing;
    private final long[] deadlines;
    private final int[] openPeers;
    private int openCount;
    private int seedState;
    private long earliestDeadline = Long.MAX_VALUE;
    private final AtomicLong sources = new AtomicLong();
    private final AtomicLong repairs = new AtomicLong();
    private final AtomicLong repairsSkipped = new AtomicLong();
    private final AtomicLong probeRepairs = new AtomicLong();
    private final boolean[] probing;
    private volatile int lastK;
    private volatile int lastM;
    private volatile boolean stopped;

    private final LinkPacer pacer;

    /** @param pacer paces the repairs as the reader paces the sources, or null */
    public FecOutbound(TxProducer out, LinkFeedback feedback, FecSettings settings, int capacity, LinkPacer pacer) {
        this.out = out;
        this.pacer = pacer;
        this.feedback = feedback;
        this.settings = settings;
        this.encoders = new FecEncoder[capacity];
        this.generations = new int[capacity];
        this.designLoss = new double[capacity];
        this.sizing = new FecPolicy(settings.targetResidual(), settings.maxK());
        Gf256.initialize(); // now, not at the first generation's repairs on the TUN reader's thread
        this.deadlines = new long[capacity];
        this.openPeers = new int[capacity];
        this.probing = new boolean[capacity];
        this.lastK = settings.maxK();
    }

    /** Bytes the reader leaves free in front of each packet: the FEC header. */
    public static int headroom() {
        return FecHeader.BYTES;
    }

    /** Largest packet the reader may read: the tunnel MTU with FEC on. */
    public static int maxPacket() {
        return Fec.MAX_SYMBOL_BYTES;
    }

    /**
     * Publishes the packet in {@code slot} ({@code length} bytes after the headroom) as
     * the next source symbol to {@code peer}, and the generation's repairs if that
     * filled it.
     */
    public void publishSource(int slot, int peer, int length, long nowNanos) {
        FecEncoder encoder = encoders[peer];
        if (encoder == null) {
            encoder = new FecEncoder(Fec.MAX_SYMBOL_BYTES); // once per peer
            encoders[peer] = encoder;
        }
        if (deadlines[peer] == 0) {
            begin(encoder, peer, nowNanos);
        }
        var unusedIndex = encoder.addSource(out.pool().buffer(), out.bodyIndex(slot), length);
        out.publish(slot, peer, Flags.TUNNEL | Flags.FEC, FecHeader.BYTES + length, true, nowNanos);
        sources.lazySet(sources.get() + 1);
        if (encoder.full()) {
            close(peer, nowNanos);
        }
    }

    private void begin(FecEncoder encoder, int peer, long nowNanos) {
        long plan = feedback.plan(peer);
        int k = Math.min(settings.maxK(), LinkFeedback.k(plan, settings.maxK()));
        int m = plan == 0 ? Math.max(1, settings.maxK() / 8) : LinkFeedback.m(plan);
        probing[peer] = plan == 0;
        designLoss[peer] = plan == 0 ? PROBE_LOSS : LinkFeedback.designLoss(plan);
        seedState += 0x9E37; // any 16 bits do: the seed only varies the (always MDS) matrix
        encoder.begin(generations[peer]++, k, m, seedState);
        lastK = k;
        lastM = m;
        long deadline = nowNanos + settings.maxDelayNanos();
        deadlines[peer] = deadline == 0 ? 1 : deadline;
        openPeers[openCount++] = peer;
        earliestDeadline = Math.min(earliestDeadline, deadlines[peer]);
    }

    /** Sends the open generation's repairs and closes it. */
    private void close(int peer, long nowNanos) {
        FecEncoder encoder = encoders[peer];
        ByteBuffer b = out.pool().buffer();
        if (encoder.sources() > 0) {
            int m = encoder.full() ? encoder.m() : sizing.repairsFor(encoder.sources(), encoder.m(), designLoss[peer]);
            for (int r = 0; r < m; r++) {
                int slot = claim();
                if (slot == SlotPool.NO_SLOT) {
                    repairsSkipped.lazySet(repairsSkipped.get() + m - r);
                    break;
                }
                int body = encoder.writeRepair(r, b, out.bodyIndex(slot));
                if (pacer != null) {
                    pacer.admit(peer, Wire.MIN_FRAME_BYTES + body);
                }
                out.publish(slot, peer, Flags.FEC, body, true, nowNanos);
                repairs.lazySet(repairs.get() + 1);
                if (probing[peer]) {
                    probeRepairs.lazySet(probeRepairs.get() + 1);
                }
            }
        }
        deadlines[peer] = 0;
        for (int i = 0; i < openCount; i++) {
            if (openPeers[i] == peer) {
                openPeers[i] = openPeers[--openCount];
                break;
            }
        }
    }

    /** Waits for a TX slot as the reader does for a source's: a repair given up is a generation lost. */
    private int claim() {
        while (!stopped) {
            int slot = out.claim();
            if (slot != SlotPool.NO_SLOT) {
                return slot;
            }
            Thread.onSpinWait();
        }
        return SlotPool.NO_SLOT;
    }

    /** The reader stops: a repair waiting for a slot gives up. */
    public void stop() {
        stopped = true;
    }

    /**
     * Closes the generations whose deadline passed (a burst ended before they filled:
     * their repairs go out now, so the last packets of a burst are protected too).
     *
     * @return nanoseconds until the next deadline, or {@link Long#MAX_VALUE} when none is open
     */
    public long closeDue(long nowNanos) {
        if (nowNanos >= earliestDeadline) {
            long earliest = Long.MAX_VALUE;
            for (int i = openCount - 1; i >= 0; i--) {
                int peer = openPeers[i];
                if (nowNanos >= deadlines[peer]) {
                    close(peer, nowNanos);
                } else {
                    earliest = Math.min(earliest, deadlines[peer]);
                }
            }
            earliestDeadline = earliest;
        }
        return earliestDeadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, earliestDeadline - nowNanos);
    }

    /** Source symbols sent. */
    public long sources() {
        return sources.get();
    }

    /** Repair symbols sent. */
    public long repairs() {
        return repairs.get();
    }

    /** Repairs of generations opened before the peer's first report (the link unknown). */
    public long probeRepairs() {
        return probeRepairs.get();
    }

    /** Repairs not sent because the reader stopped while they waited for a TX slot. */
    public long repairsSkipped() {
        return repairsSkipped.get();
    }

    /** k of the generation opened last (any peer). */
    public int lastK() {
        return lastK;
    }

    /** m of the generation opened last (any peer). */
    public int lastM() {
        return lastM;
    }
}
