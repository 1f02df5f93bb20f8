package org.m13.handshake;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The hub's handshake over a lossy link: per source, the reassembly of the
 * ClientHello and the Finished, the ServerHello flight, ACKs and timers, around one
 * {@link HubHandshake} core. Message ids follow the node's (see {@link NodeDriver}).
 * At most {@code maxSources} sources are tracked; state for a source is dropped once
 * idle for the attempt deadline (after a completed handshake it lingers that long to
 * re-ACK a Finished whose ACK was lost). Pure: events in, packets to the outbox.
 */
public final class HubDriver {
    private final HubCore core;
    private final SecureRandom random;
    private final DeliveryConfig config;
    private final RttEstimator rtt;
    private final Map<Long, Peer> peers = new HashMap<>();

    private final class Peer {
        FlightReceiver helloRx = new FlightReceiver(ClientHello.BYTES, config.chunkBytes(), config.ackDelayNanos());
        FlightReceiver finishedRx = new FlightReceiver(Finished.BYTES, config.chunkBytes(), config.ackDelayNanos());
        FlightSender serverHelloTx;
        long lastActive;
        boolean established;
    }

    public HubDriver(HubHandshake core, SecureRandom random, DeliveryConfig config) {
        this((HubCore) core, random, config);
    }

    /** With any core (tests drive size-correct stand-ins through the same logic). */
    HubDriver(HubCore core, SecureRandom random, DeliveryConfig config) {
        this.core = core;
        this.random = random;
        this.config = config;
        this.rtt = new RttEstimator(config.initialRttNanos(), config.minRtoNanos(), config.maxRtoNanos());
    }

    /**
     * A fragment from {@code source}. Returns the core's step when a message completes
     * (SENT, RESENT, COOKIE, ESTABLISHED with keys and node name, or REJECTED), else
     * {@link HandshakeStep#none()}; replies go to {@code out}.
     */
    public HandshakeStep onFragment(long source, int msgId, int index, int count, byte[] chunk, long nowNanos,
            HandshakeOutbox out) {
        Peer peer = peers.get(source);
        if (peer == null) {
            if (msgId % 3 != 1) {
                return HandshakeStep.none(); // only a ClientHello opens state
            }
            if (peers.size() >= config.maxSources() && purge(nowNanos) == 0) {
                return HandshakeStep.rejected(Reject.BUSY);
            }
            peer = new Peer();
            peers.put(source, peer);
        }
        peer.lastActive = nowNanos;
        if (msgId % 3 == 1) {
            return onHelloFragment(peer, source, msgId, index, count, chunk, nowNanos, out);
        }
        if (msgId % 3 == 0 && msgId == peer.helloRx.msgId() + 2) {
            return onFinishedFragment(peer, source, msgId, index, count, chunk, nowNanos, out);
        }
        return HandshakeStep.none();
    }

    private HandshakeStep onHelloFragment(Peer peer, long source, int msgId, int index, int count, byte[] chunk,
            long nowNanos, HandshakeOutbox out) {
        if (msgId > peer.helloRx.msgId() && peer.helloRx.msgId() >= 0) {
            // a new attempt from this source
            peer.serverHelloTx = null;
            peer.finishedRx = new FlightReceiver(Finished.BYTES, config.chunkBytes(), config.ackDelayNanos());
            peer.established = false;
        }
        FlightReceiver.Fragment r = peer.helloRx.onFragment(msgId, index, count, chunk, nowNanos);
        if (r == FlightReceiver.Fragment.COMPLETED) {
            HandshakeStep step = core.onClientHello(peer.helloRx.message(), source, random, nowNanos);
            switch (step.outcome()) {
                case SENT, RESENT -> {
                    peer.serverHelloTx = new FlightSender(msgId + 1, step.reply(), config.chunkBytes(),
                            config.parity(), rtt, random);
                    send(out, peer.serverHelloTx, peer.serverHelloTx.start(nowNanos));
                }
                case COOKIE -> {
                    out.sendMessage(step.reply());
                    peers.remove(source); // stateless: the node resends the ClientHello with mac2
                }
                default -> peers.remove(source); // refused: keep nothing for this source
            }
            return step;
        }
        if (r == FlightReceiver.Fragment.DUPLICATE && peer.helloRx.isComplete() && peer.serverHelloTx != null) {
            send(out, peer.serverHelloTx, peer.serverHelloTx.resendUnheld(nowNanos)); // the node lacks our answer
        }
        return HandshakeStep.none();
    }

    private HandshakeStep onFinishedFragment(Peer peer, long source, int msgId, int index, int count, byte[] chunk,
            long nowNanos, HandshakeOutbox out) {
        if (peer.serverHelloTx != null) {
            long unused = peer.serverHelloTx.onResponse(nowNanos);
        }
        FlightReceiver.Fragment r = peer.finishedRx.onFragment(msgId, index, count, chunk, nowNanos);
        if (r == FlightReceiver.Fragment.COMPLETED) {
            HandshakeStep step = core.onFinished(peer.finishedRx.message(), source, nowNanos);
            if (step.outcome() == HandshakeStep.Outcome.ESTABLISHED) {
                peer.established = true;
                out.sendAck(msgId, peer.finishedRx.bitmap());
            } else {
                peer.finishedRx = new FlightReceiver(Finished.BYTES, config.chunkBytes(), config.ackDelayNanos());
            }
            return step;
        }
        if (r == FlightReceiver.Fragment.DUPLICATE && peer.established) {
            out.sendAck(msgId, peer.finishedRx.bitmap()); // our ACK was lost
        }
        return HandshakeStep.none();
    }

    /** An ACK from {@code source} for our ServerHello. */
    public void onAck(long source, int msgId, int bitmap, long nowNanos, HandshakeOutbox out) {
        Peer peer = peers.get(source);
        if (peer != null && peer.serverHelloTx != null && msgId == peer.serverHelloTx.msgId()) {
            peer.lastActive = nowNanos;
            send(out, peer.serverHelloTx, peer.serverHelloTx.onAck(bitmap, nowNanos));
        }
    }

    /** Timers of every source: ServerHello retransmissions, repeated ACKs, idle state dropped. */
    public void onTimer(long nowNanos, LongFunction<HandshakeOutbox> outFor) {
        int unused = core.onTimer(nowNanos);
        for (Iterator<Map.Entry<Long, Peer>> it = peers.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, Peer> e = it.next();
            Peer peer = e.getValue();
            if (nowNanos - peer.lastActive >= config.attemptDeadlineNanos()) {
                it.remove();
                continue;
            }
            if (peer.established) {
                continue;
            }
            HandshakeOutbox out = outFor.apply(e.getKey());
            if (peer.serverHelloTx != null) {
                send(out, peer.serverHelloTx, peer.serverHelloTx.onTimer(nowNanos));
            }
            for (FlightReceiver rx : new FlightReceiver[] {peer.helloRx, peer.finishedRx}) {
                int ack = rx.takeAck(nowNanos, rtt.rtoNanos());
                if (ack >= 0) {
                    out.sendAck(rx.msgId(), ack);
                }
            }
        }
    }

    /** When {@link #onTimer} next has work, or {@code Long.MAX_VALUE}. */
    public long nextTimerNanos() {
        long next = Long.MAX_VALUE;
        for (Peer peer : peers.values()) {
            next = Math.min(next, peer.lastActive + config.attemptDeadlineNanos());
            if (peer.established) {
                continue;
            }
            next = Math.min(next, Math.min(peer.helloRx.ackAtNanos(), peer.finishedRx.ackAtNanos()));
            if (peer.serverHelloTx != null && !peer.serverHelloTx.isComplete()) {
                next = Math.min(next, peer.serverHelloTx.timerNanos());
            }
        }
        return next;
    }

    /** Sources with handshake state. */
    public int sources() {
        return peers.size();
    }

    private int purge(long nowNanos) {
        int purged = 0;
        for (Iterator<Peer> it = peers.values().iterator(); it.hasNext();) {
            if (nowNanos - it.next().lastActive >= config.attemptDeadlineNanos()) {
                it.remove();
                purged++;
            }
        }
        return purged;
    }

    private static void send(HandshakeOutbox out, FlightSender tx, int bits) {
        for (int i = 0; i < tx.fragmentCount(); i++) {
            if ((bits & (1 << i)) != 0) {
                out.sendFragment(tx.msgId(), i, tx.dataCount(), tx.fragment(i));
            }
        }
    }
}
