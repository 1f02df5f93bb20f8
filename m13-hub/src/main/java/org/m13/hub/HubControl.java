package org.m13.hub;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.crypto.AesGcm;
import org.m13.daemon.AmplificationBudget;
import org.m13.daemon.ControlEvent;
import org.m13.daemon.ControlMessages;
import org.m13.daemon.ControlRing;
import org.m13.daemon.HandshakeLink;
import org.m13.daemon.Outer;
import org.m13.daemon.PeerTable;
import org.m13.daemon.PeerTelemetry;
import org.m13.daemon.Session;
import org.m13.daemon.SessionReaper;
import org.m13.daemon.TxProducer;
import org.m13.handshake.HandshakeAck;
import org.m13.handshake.HandshakeStep;
import org.m13.handshake.HubDriver;
import org.m13.handshake.SessionKeys;
import org.m13.handshake.FrameMac;
import org.m13.identity.AllowList;
import org.m13.stage.FrameEvent;
import org.m13.wire.FragmentHeader;
import org.m13.wire.Flags;
import org.m13.wire.Wire;

/**
 * The hub's control thread: per peer the lifecycle of the reference design, on the
 * control ring.
 * <pre>
 *   registration (cleartext, new MAC) -> peer slot, ECHO (at most every 100 ms per peer)
 *   handshake fragments / ACKs        -> HubDriver (PQC on this thread only)
 *   Finished verified                 -> session installed, ADDRESS (10.13.0.x by allow-list order)
 *   KEEPALIVE (sealed)                -> KEEPALIVE back, or ADDRESS if the node lacks it
 *   FIN (sealed)                      -> FIN-ACK, peer evicted
 *   silence > evictAfter              -> peer evicted; unestablished slots expire after 15 s
 *   close(): FIN x3 to every established node, FIN-ACKs awaited (1 s at most)
 * </pre>
 * A node that comes back with a new MAC (restarted) replaces its old slot once its new
 * handshake completes; a node whose address changes is followed by decrypt
 * ({@link PeerTable#authenticated}).
 */
final class HubControl implements ControlRing.Handler {
    private static final Logger LOG = LogManager.getLogger(HubControl.class);
    private static final long MS = 1_000_000L;

    /** Timers of the lifecycle. */
    record Timing(long echoThrottleNanos, long unestablishedNanos, long evictAfterNanos, long finWaitNanos,
            long graceNanos) {
        static Timing defaults() {
            return new Timing(100 * MS, 15_000 * MS, 30_000 * MS, 1_000 * MS, 10_000 * MS);
        }
    }

    private static final class Peer {
        long createdNanos;
        long lastEchoNanos = Long.MIN_VALUE / 2;
        boolean established;
        String name;
        long heardCount = -1;
        long lastHeardNanos;
        boolean finAcked;
    }

    private final PeerTable peers;
    private final TxProducer out;
    private final HandshakeLink handshake;
    private final HubDriver driver;
    private final FrameMac frameMac;
    private final AmplificationBudget budget;
    private final java.util.concurrent.atomic.AtomicLong badFrameMacs = new java.util.concurrent.atomic.AtomicLong();
    private final AllowList allowList;
    private final int tunnelBase;
    private final int tunnelPrefix;
    private final int tunnelMtu;
    private final Timing timing;
    private final SessionReaper reaper;
    private final Peer[] state;
    private final Map<Long, Integer> peerOfSource = new HashMap<>();
    private final Map<Long, Long> lastRefusalLog = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong refusedHandshakes = new java.util.concurrent.atomic.AtomicLong();
    private final FragmentHeader fragment = new FragmentHeader();
    private final java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(new byte[FragmentHeader.BYTES]);
    private final byte[] scratch = new byte[ControlMessages.ADDRESS_BYTES];
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closeRequested;
    private volatile PeerTelemetry peerTelemetry;
    private boolean closing;
    private long finDeadlineNanos;
    private int finRounds;
    private final java.util.concurrent.atomic.AtomicInteger established = new java.util.concurrent.atomic.AtomicInteger();
    private long refusedRegistrations;

    /**
     * @param tunnelBase the hub's own tunnel address; node i of the allow-list gets base + 1 + i
     */
    HubControl(PeerTable peers, TxProducer out, HandshakeLink handshake, HubDriver driver, AllowList allowList,
            FrameMac frameMac, int tunnelBase, int tunnelPrefix, int tunnelMtu, Timing timing) {
        this.peers = peers;
        this.out = out;
        this.handshake = handshake.gate(this::allowSend);
        this.frameMac = frameMac;
        this.driver = driver;
        this.allowList = allowList;
        this.tunnelBase = tunnelBase;
        this.tunnelPrefix = tunnelPrefix;
        this.tunnelMtu = tunnelMtu;
        this.timing = timing;
        this.reaper = new SessionReaper(timing.graceNanos());
        this.budget = new AmplificationBudget(4 * peers.capacity());
        this.state = new Peer[peers.capacity()];
    }

    @Override
    public void onMessage(ControlEvent e, long now) {
        if (!e.authenticated()) {
            // cleartext from a node: the per-frame mac1 first, before any state (docs/PROTOCOL-HANDSHAKE.md §6)
            if (!frameMac.check(e.mac(), e.flags(), e.body(), e.length(), e.tag())) {
                badFrameMacs.incrementAndGet();
                return;
            }
            if (e.peer() < 0 || state[e.peer()] == null || !state[e.peer()].established) {
                budget.received(e.source(), Wire.MIN_FRAME_BYTES + e.length() + HandshakeLink.DATAGRAM_OVERHEAD);
            }
        }
        switch (e.disposition()) {
            case REGISTRATION -> onRegistration(e, now);
            case FRAGMENT -> onFragment(e, now);
            case HANDSHAKE -> onHandshakeMessage(e, now);
            case CONTROL -> onControl(e, now);
            case FIN -> onFin(e, now);
            default -> {
            }
        }
    }

    /** HandshakeLink's gate: may {@code frameBytes} go to {@code peer} now? (the 3x rule) */
    private boolean allowSend(int peer, int frameBytes) {
        Peer p = state[peer];
        if (p != null && p.established) {
            return true; // the address is validated: it completed a handshake
        }
        return budget.trySend(peers.address(peer), frameBytes);
    }

    private void onRegistration(ControlEvent e, long now) {
        if (closing) {
            return;
        }
        int peer = e.peer();
        if (peer == FrameEvent.NO_PEER) {
            peer = peers.add(e.mac(), e.source());
            if (peer == FrameEvent.NO_PEER) {
                peer = evictOldestUnestablished(now) ? peers.add(e.mac(), e.source()) : FrameEvent.NO_PEER;
            }
            if (peer == FrameEvent.NO_PEER) {
                refusedRegistrations++;
                return;
            }
            Peer p = new Peer();
            p.createdNanos = now;
            state[peer] = p;
        }
        Peer p = state[peer];
        if (p == null || p.established) {
            return; // an established peer's registration is a stray duplicate
        }
        peerOfSource.put(e.source(), peer);
        if (now - p.lastEchoNanos >= timing.echoThrottleNanos()
                && allowSend(peer, Wire.MIN_FRAME_BYTES + 1 + HandshakeLink.DATAGRAM_OVERHEAD)) {
            p.lastEchoNanos = now;
            scratch[0] = ControlMessages.ECHO;
            boolean unused = out.send(peer, Flags.CONTROL, scratch, 0, 1, false, now);
        }
    }

    private void onFragment(ControlEvent e, long now) {
        int peer = e.peer();
        if (peer < 0 || state[peer] == null || e.length() < FragmentHeader.BYTES) {
            return;
        }
        byte[] body = e.body();
        System.arraycopy(body, 0, view.array(), 0, FragmentHeader.BYTES);
        fragment.wrap(view, 0);
        int chunkLength = fragment.length();
        if (chunkLength > e.length() - FragmentHeader.BYTES) {
            return;
        }
        peerOfSource.put(e.source(), peer);
        byte[] chunk = Arrays.copyOfRange(body, FragmentHeader.BYTES, FragmentHeader.BYTES + chunkLength);
        HandshakeStep step = driver.onFragment(e.source(), fragment.msgId(), fragment.index(), fragment.total(), chunk,
                now, handshake.to(peer));
        switch (step.outcome()) {
            case ESTABLISHED -> establish(peer, step, e.source(), now);
            case REJECTED -> logRefusal(e.source(), step, now);
            default -> {
            }
        }
    }

    /** One line per source and minute: operators see who is knocking, a flood does not fill the log. */
    private void logRefusal(long source, HandshakeStep step, long now) {
        refusedHandshakes.incrementAndGet();
        Long last = lastRefusalLog.get(source);
        if (last == null || now - last > 60_000 * MS) {
            if (lastRefusalLog.size() > 1024) {
                lastRefusalLog.clear();
            }
            lastRefusalLog.put(source, now);
            LOG.warn("handshake from {} refused: {}", Outer.toString(source), step.reject().label());
        }
    }

    private void establish(int peer, HandshakeStep step, long source, long now) {
        String name = step.peerName();
        int index = indexOf(name);
        try (SessionKeys keys = step.keys()) {
            if (index < 0) {
                return; // cannot happen: the core checked the allow-list
            }
            for (int other = 0; other < state.length; other++) {
                if (other != peer && state[other] != null && name.equals(state[other].name)) {
                    LOG.info("node {} is back (new session from {}); old slot {} dropped", name,
                            Outer.toString(source), other);
                    evict(other, now);
                }
            }
            Session current = peers.session(peer);
            boolean rekey = current != null && state[peer].established;
            // a rekey over the live session: the next key phase, the old session stays openable (grace)
            Session session = new Session(AesGcm.withKey(keys.sendKey()), AesGcm.withKey(keys.receiveKey()),
                    rekey ? current.phase() ^ 1 : 0);
            reaper.retire(peers.install(peer, session), now);
            if (!rekey) {
                reaper.retire(peers.dropPrevious(peer), now);
            } else {
                LOG.info("node {} rekeyed (key phase {})", name, session.phase());
            }
        }
        Peer p = state[peer];
        if (!p.established) {
            established.incrementAndGet();
        }
        p.established = true;
        p.name = name;
        p.lastHeardNanos = now;
        p.heardCount = peers.heard(peer);
        budget.validated(source);
        PeerTelemetry t = peerTelemetry;
        if (t != null) {
            t.bind(peer, name);
        }
        int ip = tunnelBase + 1 + index;
        peers.tunnelAddress(peer, ip);
        sendAddress(peer, ip, now);
        LOG.info("node {} established from {} as {}", name, Outer.toString(source), ControlMessages.ipToString(ip));
    }

    private int indexOf(String name) {
        List<AllowList.Entry> entries = allowList.entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private void sendAddress(int peer, int ip, long now) {
        scratch[0] = ControlMessages.ADDRESS;
        ControlMessages.putInt(scratch, 1, ip);
        scratch[5] = (byte) tunnelPrefix;
        scratch[6] = (byte) (tunnelMtu >>> 8);
        scratch[7] = (byte) tunnelMtu;
        boolean unused = out.send(peer, Flags.CONTROL, scratch, 0, ControlMessages.ADDRESS_BYTES, true, now);
    }

    private void onHandshakeMessage(ControlEvent e, long now) {
        int peer = e.peer();
        if (peer < 0 || e.length() < HandshakeAck.BYTES || (e.body()[0] & 0xFF) != ControlMessages.HS_ACK) {
            return;
        }
        try {
            HandshakeAck ack = HandshakeAck.decode(Arrays.copyOf(e.body(), HandshakeAck.BYTES)); // padding ignored
            handshake.resending(true); // what an ACK makes the driver send is a repair
            driver.onAck(e.source(), ack.msgId(), ack.bitmap(), now, handshake.to(peer));
            handshake.resending(false);
        } catch (IllegalArgumentException malformed) {
            // ignored: the handshake retransmits
        }
    }

    private void onControl(ControlEvent e, long now) {
        int peer = e.peer();
        if (!e.authenticated() || peer < 0 || state[peer] == null || !state[peer].established || e.length() < 1) {
            return;
        }
        if ((e.body()[0] & 0xFF) == ControlMessages.KEEPALIVE && e.length() >= ControlMessages.KEEPALIVE_BYTES) {
            int held = ControlMessages.getInt(e.body(), 1);
            int assigned = peers.tunnelAddress(peer);
            if (held != assigned) {
                sendAddress(peer, assigned, now);
            } else {
                scratch[0] = ControlMessages.KEEPALIVE;
                ControlMessages.putInt(scratch, 1, assigned);
                boolean unused = out.send(peer, Flags.CONTROL, scratch, 0, ControlMessages.KEEPALIVE_BYTES, true, now);
            }
        }
    }

    private void onFin(ControlEvent e, long now) {
        int peer = e.peer();
        if (!e.authenticated() || peer < 0 || state[peer] == null || e.length() < 1) {
            return;
        }
        if ((e.body()[0] & 0xFF) == ControlMessages.FIN_ACK) {
            state[peer].finAcked = true;
            return;
        }
        scratch[0] = ControlMessages.FIN_ACK;
        boolean unused = out.send(peer, Flags.FIN, scratch, 0, 1, true, now);
        LOG.info("node {} closed its session (FIN)", state[peer].name);
        evict(peer, now);
    }

    @Override
    public void onTick(long now) {
        handshake.resending(true);
        driver.onTimer(now, source -> {
            Integer peer = peerOfSource.get(source);
            return handshake.to(peer == null ? 0 : peer);
        });
        handshake.resending(false);
        reaper.onTick(now);
        if (closeRequested && !closing) {
            closing = true;
            finDeadlineNanos = now + timing.finWaitNanos();
        }
        if (closing) {
            tickClosing(now);
            return;
        }
        for (int peer = 0; peer < state.length; peer++) {
            Peer p = state[peer];
            if (p == null) {
                continue;
            }
            if (!p.established) {
                if (now - p.createdNanos > timing.unestablishedNanos()) {
                    evict(peer, now);
                }
                continue;
            }
            long heard = peers.heard(peer);
            if (heard != p.heardCount) {
                p.heardCount = heard;
                p.lastHeardNanos = now;
            } else if (now - p.lastHeardNanos > timing.evictAfterNanos()) {
                LOG.info("node {} silent for {} s: evicted", p.name, (now - p.lastHeardNanos) / 1_000_000_000L);
                evict(peer, now);
            }
        }
    }

    private void tickClosing(long now) {
        boolean allAcked = true;
        for (int peer = 0; peer < state.length; peer++) {
            Peer p = state[peer];
            if (p != null && p.established && !p.finAcked) {
                allAcked = false;
                if (finRounds < 3) {
                    scratch[0] = ControlMessages.FIN;
                    boolean unused = out.send(peer, Flags.FIN, scratch, 0, 1, true, now);
                }
            }
        }
        finRounds++;
        if (allAcked || now - finDeadlineNanos >= 0) {
            closed.countDown();
        }
    }

    private boolean evictOldestUnestablished(long now) {
        int oldest = -1;
        for (int peer = 0; peer < state.length; peer++) {
            Peer p = state[peer];
            if (p != null && !p.established && (oldest < 0 || p.createdNanos < state[oldest].createdNanos)) {
                oldest = peer;
            }
        }
        if (oldest < 0) {
            return false;
        }
        evict(oldest, now);
        return true;
    }

    private void evict(int peer, long now) {
        Peer p = state[peer];
        if (p != null && p.established) {
            established.decrementAndGet();
        }
        state[peer] = null;
        PeerTelemetry t = peerTelemetry;
        if (t != null) {
            t.unbind(peer);
        }
        for (Session s : peers.remove(peer)) {
            reaper.retire(s, now);
        }
        peerOfSource.values().removeIf(v -> v == peer);
    }

    // ---- from other threads ----

    /** Per-node records in the telemetry file (set before the control thread starts). */
    void peerTelemetry(PeerTelemetry telemetry) {
        this.peerTelemetry = telemetry;
        var unused = handshake.onResend(telemetry::handshakeRetransmit);
    }

    void requestClose() {
        closeRequested = true;
    }

    boolean awaitClosed(long timeoutMillis) throws InterruptedException {
        return closed.await(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** After the control thread stopped: closes every key. */
    void closeKeys() {
        for (int peer = 0; peer < state.length; peer++) {
            for (Session s : peers.remove(peer)) {
                reaper.retire(s, Long.MIN_VALUE);
            }
        }
        reaper.closeAll();
    }

    /** Nodes with a session now. */
    int established() {
        return established.get();
    }

    /** Handshakes the core refused (not on the allow-list, bad MAC, bad signature, ...). */
    long refusedHandshakes() {
        return refusedHandshakes.get();
    }

    /** Cleartext frames whose per-frame mac1 was wrong (strangers without the hub's key). */
    long badFrameMacs() {
        return badFrameMacs.get();
    }

    /** Frames held back by the 3x limit toward unvalidated addresses. */
    long budgetHeld() {
        return budget.held();
    }

    long refusedRegistrations() {
        return refusedRegistrations;
    }
}
