package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.m13.stage.FrameEvent;
import org.m13.stage.SlotPool;
import org.m13.sys.Tun;
import org.m13.sys.TunDevice;
import org.m13.wire.Flags;
import org.m13.wire.Wire;

/**
 * tun-read: the TX ring's producer for tunnel traffic. Reads each IP packet from the
 * TUN device straight into the body of a fresh TX slot, finds the peer (hub: by the
 * inner destination, the node's tunnel address; node: the hub, once a session is up)
 * and publishes it for sealing. A packet with no peer (or not IPv4) is dropped here by
 * reading the next packet into the same slot; counted.
 *
 * <p>With FEC on ({@link FecOutbound}) each packet is read 8 bytes further into the
 * body, where the FEC header goes, and published as a source symbol; the reader also
 * closes generations whose deadline passed, so it waits on the TUN device no longer
 * than until the next deadline.
 */
public final class TunReader implements Runnable {
    private final TunDevice tun;
    private final TxProducer out;
    private final PeerTable peers;
    private final int mtu;
    private final FecOutbound fec;
    private final LinkPacer pacer;
    private final int headroom;
    private volatile boolean running = true;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong noPeer = new AtomicLong();
    private final AtomicLong notIpv4 = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    /**
     * @param fec the FEC sender, or null to send plain {@code TUNNEL} frames
     * @param pacer the pacer at {@code link.rate-mbit}, or null for none (also used by {@code fec})
     */
    public TunReader(TunDevice tun, TxProducer out, PeerTable peers, int mtu, FecOutbound fec, LinkPacer pacer) {
        this.tun = tun;
        this.out = out;
        this.peers = peers;
        this.fec = fec;
        this.pacer = pacer;
        this.headroom = fec == null ? 0 : FecOutbound.headroom();
        int limit = fec == null ? out.maxBody() : Math.min(out.maxBody() - headroom, FecOutbound.maxPacket());
        this.mtu = Math.min(mtu, limit);
    }

    @Override
    public void run() {
        ByteBuffer b = out.pool().buffer();
        int slot = SlotPool.NO_SLOT;
        while (running) {
            if (slot == SlotPool.NO_SLOT) {
                slot = out.claim();
                if (slot == SlotPool.NO_SLOT) {
                    Thread.onSpinWait(); // every TX slot in flight: wait for release
                    continue;
                }
            }
            int n = tun.read(out.bodyAddress(slot) + headroom, mtu);
            if (n == 0) {
                int waitMillis = 100;
                if (fec != null) {
                    long due = fec.closeDue(System.nanoTime()); // Long.MAX_VALUE: nothing open
                    waitMillis = (int) Math.min(100, Math.max(1, due / 1_000_000 + 1));
                }
                if (waitMillis > 0 && tun.poll(Tun.POLLIN, waitMillis) < 0) {
                    errors.incrementAndGet();
                }
                continue;
            }
            if (n < 0) {
                errors.incrementAndGet();
                continue;
            }
            int body = out.bodyIndex(slot) + headroom;
            if (n < 20 || (b.get(body) & 0xF0) != 0x40) {
                notIpv4.incrementAndGet();
                continue;
            }
            int peer = peers.byTunnelAddress(b.getInt(body + 16));
            if (peer == FrameEvent.NO_PEER || peers.session(peer) == null) {
                noPeer.incrementAndGet();
                continue;
            }
            if (pacer != null) {
                pacer.admit(peer, Wire.MIN_FRAME_BYTES + headroom + n);
            }
            long now = System.nanoTime();
            if (fec == null) {
                out.publish(slot, peer, Flags.TUNNEL, n, true, now);
            } else {
                fec.publishSource(slot, peer, n, now);
                var unusedWait = fec.closeDue(now); // other peers' generations, when traffic never lets the reader wait
            }
            read.lazySet(read.get() + 1);
            slot = SlotPool.NO_SLOT;
        }
    }

    public void stop() {
        running = false;
        if (fec != null) {
            fec.stop();
        }
    }

    /** Packets read and published. */
    public long read() {
        return read.get();
    }

    /** Packets with no peer or session for their destination (dropped). */
    public long noPeer() {
        return noPeer.get();
    }

    /** Packets that were not IPv4 (dropped; the tunnel carries IPv4). */
    public long notIpv4() {
        return notIpv4.get();
    }

    public long errors() {
        return errors.get();
    }
}
