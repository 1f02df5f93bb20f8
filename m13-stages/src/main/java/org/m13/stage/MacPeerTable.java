package org.m13.stage;

import java.nio.ByteBuffer;
import org.m13.wire.EthernetHeader;

/**
 * In-memory {@link PeerLookup} by the frame's Ethernet source MAC: peer {@code i} is the
 * {@code i}-th MAC added. A linear scan, fine for the handful of peers of the first
 * steps; a hash by outer address replaces it when the hub serves many nodes.
 *
 * <p>Threads: {@link #add} before the pipeline starts (or from the thread that runs
 * parse); lookups from one thread.
 */
public final class MacPeerTable implements PeerLookup {
    private final EthernetHeader eth = new EthernetHeader();
    private final long[] macs;
    private int count;

    public MacPeerTable(int maxPeers) {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers " + maxPeers + " < 1");
        }
        macs = new long[maxPeers];
    }

    /**
     * Adds a peer (or finds it when already known).
     *
     * @return its peer index
     */
    public int add(long mac) {
        int known = find(mac);
        if (known != FrameEvent.NO_PEER) {
            return known;
        }
        if (count == macs.length) {
            throw new IllegalStateException("peer table full (" + macs.length + ")");
        }
        macs[count] = mac;
        return count++;
    }

    public int size() {
        return count;
    }

    @Override
    public int peerOf(ByteBuffer buffer, int frameIndex) {
        return find(eth.wrap(buffer, frameIndex).source());
    }

    private int find(long mac) {
        for (int i = 0; i < count; i++) {
            if (macs[i] == mac) {
                return i;
            }
        }
        return FrameEvent.NO_PEER;
    }
}
