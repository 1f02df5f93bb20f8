package org.m13.handshake;

import java.security.SecureRandom;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import org.m13.identity.Identity;
import org.m13.identity.PublicIdentity;

/**
 * The node's handshake over a lossy link: a {@link NodeHandshake} per attempt, its
 * flights (ClientHello and Finished out, ServerHello in), ACKs, timers and the overall
 * deadline after which a fresh attempt starts. Message ids: the ClientHello of attempt
 * n is {@code 3n + 1}, the hub answers with {@code 3n + 2}, the Finished is
 * {@code 3n + 3}. If the hub has not acknowledged the Finished within the deadline
 * either, the node starts over (the keys it was given are then superseded by the next
 * ESTABLISHED step). Pure: events in, packets to the {@link HandshakeOutbox}, time
 * passed in.
 */
public final class NodeDriver implements AutoCloseable {
    private final LongFunction<NodeAttempt> starter;
    private final RandomGenerator random;
    private final RttEstimator rtt;
    private final HandshakeOutbox out;
    private final DeliveryConfig config;

    private int attemptNumber;
    private int attempts;
    private NodeAttempt attempt;
    private FlightSender helloTx;
    private FlightReceiver serverHelloRx;
    private FlightSender finishedTx;
    private long finishedDeadline;
    private boolean finishedAcknowledged;

    /**
     * @param hub the pinned hub key
     * @param random for the handshake's secrets and the retransmission jitter
     */
    public NodeDriver(Identity node, PublicIdentity hub, SecureRandom random, PqcCounter counter,
            DeliveryConfig config, HandshakeOutbox out) {
        this(now -> NodeHandshake.start(node, hub, random, counter, now, config.attemptDeadlineNanos()), random,
                config, out);
    }

    /** With any attempt factory (tests drive size-correct stand-ins through the same logic). */
    NodeDriver(LongFunction<NodeAttempt> starter, RandomGenerator random, DeliveryConfig config, HandshakeOutbox out) {
        this.starter = starter;
        this.random = random;
        this.config = config;
        this.rtt = new RttEstimator(config.initialRttNanos(), config.minRtoNanos(), config.maxRtoNanos());
        this.out = out;
    }

    /** Ids stay below 2^16, the width of the fragment header's message id: 21845 attempts, then they wrap. */
    private static int helloId(int attemptNumber) {
        return 3 * (attemptNumber % 21845) + 1;
    }

    /** Starts (or restarts) an attempt with fresh ephemeral keys and sends its ClientHello. */
    public void start(long nowNanos) {
        if (attempt != null) {
            attempt.close();
        }
        attemptNumber++;
        attempts++;
        attempt = starter.apply(nowNanos);
        helloTx = new FlightSender(helloId(attemptNumber), attempt.clientHello(), config.chunkBytes(), config.parity(),
                rtt, jitter());
        serverHelloRx = new FlightReceiver(ServerHello.BYTES, config.chunkBytes(), config.ackDelayNanos());
        finishedTx = null;
        finishedAcknowledged = false;
        send(helloTx, helloTx.start(nowNanos));
    }

    private RandomGenerator jitter() {
        return random;
    }

    /**
     * A fragment arrived. Returns the step of the core when the ServerHello completes
     * (ESTABLISHED with the keys, or REJECTED), otherwise {@link HandshakeStep#none()}.
     */
    public HandshakeStep onFragment(int msgId, int index, int count, byte[] chunk, long nowNanos) {
        if (attempt == null || msgId != helloId(attemptNumber) + 1) {
            return HandshakeStep.none(); // not this attempt's ServerHello
        }
        long unused = helloTx.onResponse(nowNanos);
        FlightReceiver.Fragment r = serverHelloRx.onFragment(msgId, index, count, chunk, nowNanos);
        if (r == FlightReceiver.Fragment.COMPLETED) {
            HandshakeStep step = attempt.onServerHello(serverHelloRx.message(), nowNanos);
            if (step.outcome() == HandshakeStep.Outcome.ESTABLISHED) {
                finishedTx = new FlightSender(msgId + 1, step.reply(), config.chunkBytes(), config.parity(), rtt,
                        jitter());
                send(finishedTx, finishedTx.start(nowNanos));
                finishedDeadline = nowNanos + config.attemptDeadlineNanos();
            } else {
                // a forged ServerHello: forget it and collect the genuine one afresh
                serverHelloRx = new FlightReceiver(ServerHello.BYTES, config.chunkBytes(), config.ackDelayNanos());
            }
            return step;
        }
        if (r == FlightReceiver.Fragment.DUPLICATE && finishedTx != null) {
            send(finishedTx, finishedTx.resendUnheld(nowNanos)); // the hub lacks our Finished
        }
        return HandshakeStep.none();
    }

    /** An ACK arrived; a complete ACK of the Finished means the hub holds the keys. */
    public void onAck(int msgId, int bitmap, long nowNanos) {
        if (helloTx != null && msgId == helloTx.msgId()) {
            send(helloTx, helloTx.onAck(bitmap, nowNanos));
        } else if (finishedTx != null && msgId == finishedTx.msgId()) {
            send(finishedTx, finishedTx.onAck(bitmap, nowNanos));
            finishedAcknowledged = finishedTx.isComplete();
        }
    }

    /** A CookieReply arrived: resend the ClientHello with mac2 at once. */
    public HandshakeStep onCookieReply(byte[] message, long nowNanos) {
        if (attempt == null || finishedTx != null) {
            return HandshakeStep.rejected(Reject.WRONG_STATE);
        }
        HandshakeStep step = attempt.onCookieReply(message, nowNanos);
        if (step.outcome() == HandshakeStep.Outcome.COOKIE) {
            helloTx = new FlightSender(helloTx.msgId(), step.reply(), config.chunkBytes(), config.parity(), rtt,
                    jitter());
            send(helloTx, helloTx.start(nowNanos));
        }
        return step;
    }

    /** Timers: retransmissions, repeated ACKs, and the attempt deadline (restart). */
    public void onTimer(long nowNanos) {
        if (attempt == null || finishedAcknowledged) {
            return;
        }
        if (finishedTx == null && attempt.isExpired(nowNanos)) {
            start(nowNanos);
            return;
        }
        if (finishedTx != null) {
            if (nowNanos - finishedDeadline >= 0) {
                start(nowNanos); // the hub never acknowledged the Finished: a fresh handshake
                return;
            }
            send(finishedTx, finishedTx.onTimer(nowNanos));
            return;
        }
        send(helloTx, helloTx.onTimer(nowNanos));
        int ack = serverHelloRx.takeAck(nowNanos, rtt.rtoNanos());
        if (ack >= 0) {
            out.sendAck(serverHelloRx.msgId(), ack);
        }
    }

    /** When {@link #onTimer} next has work, or {@code Long.MAX_VALUE}. */
    public long nextTimerNanos() {
        if (attempt == null || finishedAcknowledged) {
            return Long.MAX_VALUE;
        }
        if (finishedTx != null) {
            return finishedTx.isComplete() ? Long.MAX_VALUE : Math.min(finishedTx.timerNanos(), finishedDeadline);
        }
        long next = serverHelloRx.ackAtNanos();
        if (!helloTx.isComplete()) {
            next = Math.min(next, helloTx.timerNanos());
        }
        return Math.min(next, attempt.deadlineNanos());
    }

    /** True once the hub acknowledged the whole Finished (both sides hold the keys). */
    public boolean finishedAcknowledged() {
        return finishedAcknowledged;
    }

    /** Attempts started so far (1 + restarts). */
    public int attempts() {
        return attempts;
    }

    private void send(FlightSender tx, int bits) {
        for (int i = 0; i < tx.fragmentCount(); i++) {
            if ((bits & (1 << i)) != 0) {
                out.sendFragment(tx.msgId(), i, tx.dataCount(), tx.fragment(i));
            }
        }
    }

    @Override
    public void close() {
        if (attempt != null) {
            attempt.close();
        }
        if (serverHelloRx != null) {
            serverHelloRx.clear();
        }
    }
}
