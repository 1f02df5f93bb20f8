package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;
import org.m13.stage.FrameEvent;
import org.m13.stage.PeerLookup;
import org.m13.stage.SendSessions;
import org.m13.stage.Sessions;
import org.m13.wire.EthernetHeader;

/**
 * Where the stages and the control thread meet: per peer index its MAC (which finds
 * the peer of a received frame), its outer address (hub), its tunnel address, its
 * current and previous {@link Session}, and a count of authenticated frames (liveness).
 *
 * <p>Threads: only the control thread writes (adds, removes, installs sessions);
 * parse, decrypt, seal, tun-read and the link read, through atomic arrays, so a stage
 * sees a peer either before or after a change, never half of one. The one exception
 * is {@link #authenticated}: decrypt (one thread) follows a roaming node's new address
 * and counts frames there.
 *
 * <p>Seal contract: {@link #sealKey} reads the peer's current session once and
 * {@link #keyPhase} and {@link #nextSeq} then refer to that same session, so a session
 * installed in between can never pair one key with another session's counter (a
 * repeated nonce). Only the seal thread calls these three, in that order.
 */
public final class PeerTable implements PeerLookup, Sessions, SendSessions {
    private final int capacity;
    private final boolean singlePeer;
    private final boolean followAddress;
    private final EthernetHeader eth = new EthernetHeader();
    private final AtomicLongArray macs;
    private final AtomicLongArray addresses;
    private final AtomicIntegerArray tunnelIps;
    /** Tunnel host part (last octet) to peer index + 1; 0 = none. */
    private final AtomicIntegerArray byTunnelHost = new AtomicIntegerArray(256);
    private final AtomicReferenceArray<Session> current;
    private final AtomicReferenceArray<Session> previous;
    private final AtomicLongArray heard;
    private Session sealing;

    private PeerTable(int capacity, boolean singlePeer, boolean followAddress) {
        if (capacity < 1 || capacity > 256) {
            throw new IllegalArgumentException("capacity " + capacity + " outside 1..256");
        }
        this.capacity = capacity;
        this.singlePeer = singlePeer;
        this.followAddress = followAddress;
        this.macs = new AtomicLongArray(capacity);
        this.addresses = new AtomicLongArray(capacity);
        this.tunnelIps = new AtomicIntegerArray(capacity);
        this.current = new AtomicReferenceArray<>(capacity);
        this.previous = new AtomicReferenceArray<>(capacity);
        this.heard = new AtomicLongArray(capacity);
    }

    /** The hub's table: peers found by MAC, addresses followed when a node roams. */
    public static PeerTable hub(int capacity) {
        return new PeerTable(capacity, false, true);
    }

    /** The node's table: one peer, the hub, and every frame on the connected socket is from it. */
    public static PeerTable node() {
        PeerTable table = new PeerTable(1, true, false);
        table.macs.set(0, EthernetHeader.BROADCAST);
        return table;
    }

    public int capacity() {
        return capacity;
    }

    // ---- control thread ----

    /** Takes a free index for a peer with this MAC: the index, or {@link FrameEvent#NO_PEER} when full. */
    public int add(long mac, long address) {
        if (mac == 0) {
            throw new IllegalArgumentException("MAC 0");
        }
        for (int i = 0; i < capacity; i++) {
            if (macs.get(i) == 0) {
                addresses.set(i, address);
                macs.set(i, mac);
                return i;
            }
        }
        return FrameEvent.NO_PEER;
    }

    /**
     * Frees the index: no frame finds it any more. Returns the sessions it held (the caller
     * retires them: stages may still be using them).
     */
    public Session[] remove(int peer) {
        if (!singlePeer) {
            macs.set(peer, 0);
        }
        tunnelAddress(peer, 0);
        Session[] old = {current.getAndSet(peer, null), previous.getAndSet(peer, null)};
        return old;
    }

    /** Sets the peer's tunnel address (0: none); the host part indexes the send side. */
    public void tunnelAddress(int peer, int ip) {
        int old = tunnelIps.getAndSet(peer, ip);
        if (old != 0 && byTunnelHost.get(old & 0xFF) == peer + 1) {
            byTunnelHost.set(old & 0xFF, 0);
        }
        if (ip != 0) {
            byTunnelHost.set(ip & 0xFF, peer + 1);
        }
    }

    /** Makes {@code session} current; the one it replaces becomes previous, and the one before that is returned. */
    public Session install(int peer, Session session) {
        Session replaced = current.getAndSet(peer, session);
        return previous.getAndSet(peer, replaced);
    }

    /**
     * Makes {@code next} openable beside the current session without sealing with it yet
     * (the node during a rekey, until the hub is seen to hold the new keys); returns the
     * previous session it displaces.
     */
    public Session preview(int peer, Session next) {
        return previous.getAndSet(peer, next);
    }

    /** Swaps current and previous: the previewed session seals from now on, the old one stays openable. */
    public void promote(int peer) {
        Session next = previous.get(peer);
        Session old = current.get(peer);
        current.set(peer, next);
        previous.set(peer, old);
    }

    /** Forgets the previous session (its grace is over); returns it for closing. */
    public Session dropPrevious(int peer) {
        return previous.getAndSet(peer, null);
    }

    // ---- any thread ----

    public long mac(int peer) {
        return macs.get(peer);
    }

    public void mac(int peer, long mac) {
        macs.set(peer, mac);
    }

    public long address(int peer) {
        return addresses.get(peer);
    }

    public int tunnelAddress(int peer) {
        return tunnelIps.get(peer);
    }

    public Session session(int peer) {
        return current.get(peer);
    }

    /** Authenticated frames received from the peer so far. */
    public long heard(int peer) {
        return heard.get(peer);
    }

    /** The peer with this MAC, or {@link FrameEvent#NO_PEER}. */
    public int find(long mac) {
        if (singlePeer) {
            return 0;
        }
        for (int i = 0; i < capacity; i++) {
            if (macs.get(i) == mac) {
                return i;
            }
        }
        return FrameEvent.NO_PEER;
    }

    /** The peer whose tunnel address is {@code ip} (inner destination), or {@link FrameEvent#NO_PEER}. */
    public int byTunnelAddress(int ip) {
        if (singlePeer) {
            return 0;
        }
        int peer = byTunnelHost.get(ip & 0xFF) - 1;
        return peer >= 0 && tunnelIps.get(peer) == ip ? peer : FrameEvent.NO_PEER;
    }

    // ---- stages ----

    @Override
    public int peerOf(ByteBuffer buffer, int frameIndex) {
        return find(eth.wrap(buffer, frameIndex).source());
    }

    @Override
    public AesGcm openKey(int peer, int keyPhase) {
        Session s = sessionFor(peer, keyPhase);
        return s == null ? null : s.openKey();
    }

    @Override
    public ReplayWindow replayWindow(int peer, int keyPhase) {
        Session s = sessionFor(peer, keyPhase);
        return s == null ? null : s.window();
    }

    private Session sessionFor(int peer, int keyPhase) {
        if (peer < 0 || peer >= capacity) {
            return null;
        }
        Session s = current.get(peer);
        if (s != null && s.phase() == keyPhase) {
            return s;
        }
        s = previous.get(peer);
        return s != null && s.phase() == keyPhase ? s : null;
    }

    @Override
    public void authenticated(int peer, ByteBuffer buffer, int frameIndex) {
        heard.lazySet(peer, heard.get(peer) + 1); // decrypt is the only writer
        if (followAddress) {
            long source = Outer.source(buffer, frameIndex);
            if (addresses.get(peer) != source) {
                addresses.set(peer, source); // roaming: the hub answers where the node now is
            }
        }
    }

    @Override
    public AesGcm sealKey(int peer) {
        sealing = peer >= 0 && peer < capacity ? current.get(peer) : null;
        return sealing == null ? null : sealing.sendKey();
    }

    @Override
    public int keyPhase(int peer) {
        return sealing.phase();
    }

    @Override
    public long nextSeq(int peer) {
        long seq = sealing.takeSeq();
        return seq < 0 ? EXHAUSTED : seq;
    }
}
