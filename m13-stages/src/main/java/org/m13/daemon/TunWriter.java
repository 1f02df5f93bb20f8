package org.m13.daemon;

import java.nio.ByteBuffer;
import org.m13.stage.FrameEvent;
import org.m13.stage.Sink;
import org.m13.stage.SlotPool;
import org.m13.sys.TunDevice;
import org.m13.telemetry.DropReason;

/**
 * tun-write: scatter's TUNNEL destination. Writes the inner IPv4 packet from the RX slot
 * straight into the TUN device. On the hub the packet's source address must be the
 * tunnel address the hub gave that peer (a node cannot speak for another node or for
 * the internet): otherwise it is refused as {@link DropReason#INNER_SOURCE}.
 */
public final class TunWriter implements Sink {
    private final TunDevice tun;
    private final SlotPool pool;
    private final PeerTable peers;
    private final boolean checkSource;
    private long written;
    private long bytes;

    public TunWriter(TunDevice tun, SlotPool pool, PeerTable peers, boolean checkSource) {
        this.tun = tun;
        this.pool = pool;
        this.peers = peers;
        this.checkSource = checkSource;
    }

    @Override
    public DropReason deliver(FrameEvent event, ByteBuffer buffer, int bodyIndex, int bodyLength) {
        if (bodyLength < 20 || (buffer.get(bodyIndex) & 0xF0) != 0x40) {
            return DropReason.NOT_IP;
        }
        if (checkSource && buffer.getInt(bodyIndex + 12) != peers.tunnelAddress(event.peer())) {
            return DropReason.INNER_SOURCE;
        }
        int n = tun.write(pool.address() + bodyIndex, bodyLength);
        if (n != bodyLength) {
            return DropReason.TUN_WRITE_FAILED;
        }
        written++;
        bytes += bodyLength;
        return DropReason.NONE;
    }

    public long written() {
        return written;
    }

    public long bytes() {
        return bytes;
    }
}
