package org.m13.node;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.crypto.AesGcm;
import org.m13.daemon.ControlEvent;
import org.m13.daemon.ControlMessages;
import org.m13.daemon.ControlRing;
import org.m13.daemon.PeerTable;
import org.m13.daemon.Session;
import org.m13.daemon.SessionReaper;
import org.m13.daemon.TxProducer;
import org.m13.handshake.CookieReply;
import org.m13.handshake.HandshakeAck;
import org.m13.handshake.HandshakeStep;
import org.m13.handshake.NodeDriver;
import org.m13.handshake.RekeyPolicy;
import org.m13.handshake.SessionKeys;
import org.m13.wire.FragmentHeader;
import org.m13.wire.Flags;

/**
 * The node's control thread: the peer lifecycle of the reference design, on the
 * control ring.
 * <pre>
 *   REGISTERING --echo--> HANDSHAKING --keys, Finished acknowledged--> WAIT_ADDRESS
 *        ^                                                                  | ADDRESS
 *        |  silence (no authenticated frame for deadAfter), FIN from hub    v
 *        +--------------------------------------------------------- ESTABLISHED
 *   close(): FIN x3, wait for FIN-ACK (1 s at most) -> CLOSED
 * </pre>
 * Registration is resent with exponential backoff (0.5 s doubling to 8 s, with jitter)
 * for as long as the hub does not answer: a service retries forever. Everything here
 * runs on the control thread; {@link #requestClose} is the only call from outside.
 */
final class NodeControl implements ControlRing.Handler {
    private static final Logger LOG = LogManager.getLogger(NodeControl.class);
    private static final long MS = 1_000_000L;
    static final int HUB = 0;
    /**
     * ACK bodies are padded to this: each ACK (1290 bytes on the wire) lets the hub send
     * 3x as much to an address it has not validated yet, about 2.5 ServerHello fragments.
     */
    static final int ACK_BODY_BYTES = 1200;

    enum State {
        REGISTERING, HANDSHAKING, WAIT_ADDRESS, ESTABLISHED, CLOSING, CLOSED
    }

    /** What the node does once it knows its tunnel address. */
    interface Tunnel {
        /** The hub assigned (or changed) the node's address: configure the TUN and routes. */
        void up(int ip, int prefix, int mtu);
    }

    /** Timers of the lifecycle. */
    record Timing(long registerMinNanos, long registerMaxNanos, long keepaliveNanos, long deadAfterNanos,
            long finWaitNanos, long graceNanos) {
        static Timing defaults() {
            return new Timing(500 * MS, 8_000 * MS, 2_000 * MS, 6_000 * MS, 1_000 * MS, 10_000 * MS);
        }
    }

    private final PeerTable peers;
    private final TxProducer out;
    private final LongFunction<NodeDriver> drivers;
    private final Tunnel tunnel;
    private final Timing timing;
    private final SecureRandom random;
    private final SessionReaper reaper;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final FragmentHeader fragment = new FragmentHeader();
    private final java.nio.ByteBuffer view;
    private final byte[] scratch = new byte[ControlMessages.ADDRESS_BYTES];

    private volatile State state = State.REGISTERING;
    private volatile boolean closeRequested;
    private volatile int tunnelIp;
    private volatile long establishedAtNanos;
    private volatile long handshakeNanos = -1;
    private NodeDriver driver;
    private final RekeyPolicy rekey;
    private boolean rekeying;
    private Session pending;
    private long sessionStartNanos;
    private long startedNanos = -1;
    private long handshakeStartNanos;
    private long nextRegisterNanos;
    private long registerBackoffNanos;
    private long nextKeepaliveNanos;
    private long lastHeardCount = -1;
    private long lastHeardNanos;
    private long finDeadlineNanos;
    private int finsSent;
    private long sessions;

    /**
     * @param drivers makes a fresh handshake driver (with the node's identity and the pinned hub key)
     */
    NodeControl(PeerTable peers, TxProducer out, LongFunction<NodeDriver> drivers,
            Tunnel tunnel, Timing timing, RekeyPolicy rekey, SecureRandom random) {
        this.rekey = rekey;
        this.peers = peers;
        this.out = out;
        this.drivers = drivers;
        this.tunnel = tunnel;
        this.timing = timing;
        this.random = random;
        this.reaper = new SessionReaper(timing.graceNanos());
        this.view = java.nio.ByteBuffer.wrap(new byte[ControlEvent.MAX_BODY]);
    }

    @Override
    public void onMessage(ControlEvent e, long now) {
        byte[] body = e.body();
        int length = e.length();
        switch (e.disposition()) {
            case CONTROL -> onControl(e, body, length, now);
            case FIN -> onFin(e, body, length, now);
            case FRAGMENT -> onFragment(body, length, now);
            case HANDSHAKE -> onHandshakeMessage(body, length, now);
            default -> {
                // REGISTRATION from the hub means nothing to a node
            }
        }
    }

    private void onControl(ControlEvent e, byte[] body, int length, long now) {
        if (length < 1) {
            return;
        }
        int type = body[0] & 0xFF;
        if (!e.authenticated()) {
            if (type == ControlMessages.ECHO && state == State.REGISTERING) {
                peers.mac(HUB, e.mac()); // the hub's MAC, for the frames we send from now on
                startHandshake(now);
            }
            return;
        }
        // an authenticated ADDRESS also proves the hub verified our Finished (it holds the keys)
        if (type == ControlMessages.ADDRESS && length >= ControlMessages.ADDRESS_BYTES
                && (state == State.HANDSHAKING || state == State.WAIT_ADDRESS || state == State.ESTABLISHED)) {
            int ip = ControlMessages.getInt(body, 1);
            int prefix = body[5] & 0xFF;
            int mtu = (body[6] & 0xFF) << 8 | (body[7] & 0xFF);
            if (ip != tunnelIp) {
                tunnel.up(ip, prefix, mtu);
                peers.tunnelAddress(HUB, ip);
                tunnelIp = ip;
                LOG.info("tunnel up: {}/{}", ControlMessages.ipToString(ip), prefix);
            }
            if (state != State.ESTABLISHED) {
                LOG.info("session established with the hub (handshake {} ms, session {})", handshakeNanos / MS,
                        sessions);
                state = State.ESTABLISHED;
                establishedAtNanos = now;
                lastHeardNanos = now;
                nextKeepaliveNanos = now + timing.keepaliveNanos();
            }
        }
        // KEEPALIVE answers only prove the hub is alive: decrypt counted the frame already
    }

    private void onFin(ControlEvent e, byte[] body, int length, long now) {
        if (!e.authenticated() || length < 1) {
            return;
        }
        if ((body[0] & 0xFF) == ControlMessages.FIN_ACK) {
            if (state == State.CLOSING) {
                finish();
            }
            return;
        }
        sendFin(ControlMessages.FIN_ACK, now);
        if (state != State.CLOSING && state != State.CLOSED) {
            LOG.warn("hub closed the session (FIN); joining again");
            lose(now);
        }
    }

    private void onFragment(byte[] body, int length, long now) {
        if (driver == null || length < FragmentHeader.BYTES) {
            return;
        }
        fragment.wrap(view, 0);
        System.arraycopy(body, 0, view.array(), 0, FragmentHeader.BYTES);
        int chunkLength = fragment.length();
        if (chunkLength > length - FragmentHeader.BYTES) {
            return;
        }
        byte[] chunk = Arrays.copyOfRange(body, FragmentHeader.BYTES, FragmentHeader.BYTES + chunkLength);
        HandshakeStep step = driver.onFragment(fragment.msgId(), fragment.index(), fragment.total(), chunk, now);
        if (step.outcome() == HandshakeStep.Outcome.ESTABLISHED) {
            install(step.keys(), now);
        } else if (step.outcome() == HandshakeStep.Outcome.REJECTED) {
            LOG.warn("hub's ServerHello refused: {}", step.reject().label());
        }
    }

    private void onHandshakeMessage(byte[] body, int length, long now) {
        if (driver == null || length < 1) {
            return;
        }
        int type = body[0] & 0xFF;
        byte[] message = Arrays.copyOf(body, type == ControlMessages.HS_ACK ? Math.min(length, HandshakeAck.BYTES)
                : length); // an ACK may be padded
        try {
            if (type == ControlMessages.HS_ACK) {
                HandshakeAck ack = HandshakeAck.decode(message);
                driver.onAck(ack.msgId(), ack.bitmap(), now);
            } else if (type == ControlMessages.HS_COOKIE_REPLY && length == CookieReply.BYTES) {
                HandshakeStep step = driver.onCookieReply(message, now);
                if (step.outcome() == HandshakeStep.Outcome.REJECTED) {
                    LOG.debug("cookie reply refused: {}", step.reject().label());
                }
            }
        } catch (IllegalArgumentException malformed) {
            // a malformed cleartext message: ignored (the handshake retransmits)
        }
    }

    private void startHandshake(long now) {
        if (driver == null) {
            driver = drivers.apply(now); // one driver per run: its message ids never repeat toward the hub
        }
        rekeying = false;
        handshakeStartNanos = now;
        state = State.HANDSHAKING;
        driver.start(now);
        LOG.info("hub answered; handshake started");
    }

    private void install(SessionKeys keys, long now) {
        try (keys) {
            Session current = peers.session(HUB);
            if (rekeying && current != null) {
                // the hub switches once it verified our Finished; we open its new phase at once but
                // keep sealing with the old keys until the hub is seen to hold the new ones
                reaper.retire(pending, now);
                pending = new Session(AesGcm.withKey(keys.sendKey()), AesGcm.withKey(keys.receiveKey()),
                        current.phase() ^ 1);
                reaper.retire(peers.preview(HUB, pending), now);
                return;
            }
            Session session = new Session(AesGcm.withKey(keys.sendKey()), AesGcm.withKey(keys.receiveKey()), 0);
            reaper.retire(peers.install(HUB, session), now);
            reaper.retire(peers.dropPrevious(HUB), now); // a fresh handshake: the old session is over
        }
        sessions++;
        sessionStartNanos = now;
        handshakeNanos = now - handshakeStartNanos;
    }

    /** Rekey when the session is old or has sealed many packets; a key past its limits is not used. */
    private void tickRekey(long now) {
        Session current = peers.session(HUB);
        if (current == null) {
            return;
        }
        long age = now - sessionStartNanos;
        if (age >= rekey.rejectAfterNanos() || current.sealed() >= rekey.rejectAfterPackets()) {
            LOG.warn("session keys past their limits without a rekey; joining again");
            lose(now);
            return;
        }
        if (!rekeying && (age >= rekey.rekeyAfterNanos() || current.sealed() >= rekey.rekeyAfterPackets())) {
            rekeying = true;
            handshakeStartNanos = now;
            driver.start(now); // a fresh attempt, new ephemeral keys and message ids, over the live session
            return;
        }
        if (rekeying) {
            driver.onTimer(now);
            if (pending != null && driver.finishedAcknowledged()) {
                peers.promote(HUB);
                pending = null;
                rekeying = false;
                sessions++;
                sessionStartNanos = now;
                LOG.info("rekeyed: session {} (key phase {}), handshake {} ms", sessions, peers.session(HUB).phase(),
                        (now - handshakeStartNanos) / MS);
            }
        }
    }

    @Override
    public void onTick(long now) {
        if (startedNanos < 0) {
            startedNanos = now;
            nextRegisterNanos = now;
            registerBackoffNanos = timing.registerMinNanos();
        }
        reaper.onTick(now);
        if (closeRequested && state != State.CLOSING && state != State.CLOSED) {
            beginClose(now);
        }
        switch (state) {
            case REGISTERING -> {
                if (now - nextRegisterNanos >= 0) {
                    boolean unused = out.send(HUB, 0, scratch, 0, 0, false, now); // registration: no flag, no body
                    nextRegisterNanos = now + registerBackoffNanos + jitter(registerBackoffNanos);
                    registerBackoffNanos = Math.min(registerBackoffNanos * 2, timing.registerMaxNanos());
                }
            }
            case HANDSHAKING -> {
                driver.onTimer(now);
                if (driver.finishedAcknowledged() && peers.session(HUB) != null) {
                    state = State.WAIT_ADDRESS;
                    lastHeardNanos = now;
                    nextKeepaliveNanos = now; // the keepalive asks the hub for our address
                }
            }
            case WAIT_ADDRESS, ESTABLISHED -> {
                if (state == State.ESTABLISHED) {
                    tickRekey(now);
                    if (state != State.ESTABLISHED) {
                        return;
                    }
                }
                long heard = peers.heard(HUB);
                if (heard != lastHeardCount) {
                    lastHeardCount = heard;
                    lastHeardNanos = now;
                }
                if (now - lastHeardNanos > timing.deadAfterNanos()) {
                    LOG.warn("no answer from the hub for {} ms; joining again", (now - lastHeardNanos) / MS);
                    lose(now);
                } else if (now - nextKeepaliveNanos >= 0) {
                    scratch[0] = ControlMessages.KEEPALIVE;
                    ControlMessages.putInt(scratch, 1, tunnelIp);
                    boolean unused = out.send(HUB, Flags.CONTROL, scratch, 0, ControlMessages.KEEPALIVE_BYTES, true,
                            now);
                    nextKeepaliveNanos = now + (state == State.WAIT_ADDRESS ? timing.keepaliveNanos() / 4
                            : timing.keepaliveNanos());
                }
            }
            case CLOSING -> {
                if (now - finDeadlineNanos >= 0) {
                    finish();
                } else if (finsSent < 3) {
                    sendFin(ControlMessages.FIN, now);
                    finsSent++;
                }
            }
            case CLOSED -> {
            }
        }
    }

    private long jitter(long around) {
        return (long) (random.nextDouble() * around * 0.2);
    }

    /** The session is gone (hub silent or closed): keep the TUN and routes (no leak), register again. */
    private void lose(long now) {
        Session[] old = {peers.install(HUB, null), peers.dropPrevious(HUB)};
        for (Session s : old) {
            reaper.retire(s, now);
        }
        rekeying = false;
        reaper.retire(pending, now);
        pending = null;
        state = State.REGISTERING;
        registerBackoffNanos = timing.registerMinNanos();
        nextRegisterNanos = now;
        lastHeardCount = -1;
    }

    private void beginClose(long now) {
        if (peers.session(HUB) == null) {
            finish();
            return;
        }
        state = State.CLOSING;
        finDeadlineNanos = now + timing.finWaitNanos();
        finsSent = 0;
    }

    private void sendFin(int type, long now) {
        if (peers.session(HUB) == null) {
            return;
        }
        scratch[0] = (byte) type;
        boolean unused = out.send(HUB, Flags.FIN, scratch, 0, 1, true, now);
    }

    private void finish() {
        state = State.CLOSED;
        if (driver != null) {
            driver.close();
            driver = null;
        }
        closed.countDown();
    }

    // ---- from other threads ----

    /** Asks the control thread to close the session (FIN) and stop. */
    void requestClose() {
        closeRequested = true;
    }

    /** Waits until the FIN exchange is over (or its deadline passed). */
    boolean awaitClosed(long timeoutMillis) throws InterruptedException {
        return closed.await(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Closes every key still held; after the control thread stopped. */
    void closeKeys() {
        if (driver != null) {
            driver.close();
        }
        Session[] old = {peers.install(HUB, null), peers.dropPrevious(HUB)};
        for (Session s : old) {
            reaper.retire(s, Long.MIN_VALUE);
        }
        reaper.closeAll();
    }

    State state() {
        return state;
    }

    int tunnelIp() {
        return tunnelIp;
    }

    /** Time from the hub's echo to the session keys, or -1. */
    long handshakeNanos() {
        return handshakeNanos;
    }

    long establishedAtNanos() {
        return establishedAtNanos;
    }

    long sessions() {
        return sessions;
    }
}
