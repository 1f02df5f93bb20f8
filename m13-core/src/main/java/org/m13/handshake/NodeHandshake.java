package org.m13.handshake;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;
import org.m13.identity.Identity;
import org.m13.identity.PublicIdentity;

/**
 * One handshake attempt of a node (the initiator), as an event-driven state machine.
 *
 * <pre>
 *   start() --ClientHello--> WAIT_SERVER_HELLO
 *   WAIT_SERVER_HELLO --valid ServerHello / Finished + keys--> ESTABLISHED
 *   WAIT_SERVER_HELLO --invalid ServerHello--> WAIT_SERVER_HELLO (refused, counted)
 *   WAIT_SERVER_HELLO --deadline--> FAILED (ephemeral secrets zeroed)
 *   ESTABLISHED --the same ServerHello again--> ESTABLISHED (Finished resent, no crypto)
 *   ESTABLISHED --any other ServerHello--> ESTABLISHED (WRONG_STATE, no crypto)
 *   any --close()--> CLOSED
 * </pre>
 *
 * The hub's key is pinned: the ServerHello's signature must verify under it over the
 * transcript, which includes this attempt's fresh nonce and ephemeral keys, so a
 * replayed or re-signed ServerHello is refused. Retransmission of the ClientHello on
 * loss is the caller's (the delivery layer's) job: {@link #clientHello()} returns the
 * same bytes each time.
 */
public final class NodeHandshake implements NodeAttempt {
    /** States of an attempt. */
    public enum State {
        WAIT_SERVER_HELLO,
        ESTABLISHED,
        FAILED,
        CLOSED
    }

    private final Identity node;
    private final PublicIdentity hub;
    private final SecureRandom random;
    private final Crypto crypto;
    private final long startNanos;
    private final long timeoutNanos;
    private final byte[] clientHello;
    private final Transcript transcript;
    private final DosGuard guard;

    private State state = State.WAIT_SERVER_HELLO;
    private MLKEMPrivateKeyParameters mlKemKey;
    private X25519PrivateKeyParameters x25519Key;
    private byte[] serverHello;
    private byte[] finished;

    private NodeHandshake(Identity node, PublicIdentity hub, SecureRandom random, PqcCounter counter,
            long nowNanos, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeoutNanos);
        }
        this.node = node;
        this.hub = hub;
        this.random = random;
        this.crypto = new Crypto(counter);
        this.startNanos = nowNanos;
        this.timeoutNanos = timeoutNanos;

        byte[] nonce = new byte[HandshakeProtocol.NONCE_BYTES];
        random.nextBytes(nonce);
        AsymmetricCipherKeyPair kem = crypto.mlKemKeyPair(random);
        mlKemKey = (MLKEMPrivateKeyParameters) kem.getPrivate();
        x25519Key = crypto.x25519KeyPair(random);
        ClientHello hello = ClientHello.build(nonce, node.keyId(),
                ((MLKEMPublicKeyParameters) kem.getPublic()).getEncoded(), x25519Key.generatePublicKey().getEncoded());
        clientHello = hello.array();
        guard = new DosGuard(hub);
        guard.stamp(clientHello);
        transcript = new Transcript(hub, node.publicIdentity());
        transcript.absorb(clientHello, 0, ClientHello.AUTHENTICATED_BYTES);
    }

    /**
     * Starts an attempt: draws the nonce and both ephemeral key pairs (1 ML-KEM keygen)
     * and builds the ClientHello. {@code node} and {@code random} stay the caller's and
     * are used again in {@link #onServerHello}.
     *
     * @param hub the pinned hub public key (from the node's config)
     * @param timeoutNanos the attempt's deadline, from {@code nowNanos}
     */
    public static NodeHandshake start(Identity node, PublicIdentity hub, SecureRandom random, PqcCounter counter,
            long nowNanos, long timeoutNanos) {
        return new NodeHandshake(node, hub, random, counter, nowNanos, timeoutNanos);
    }

    /**
     * The ClientHello to send (a copy; the same bytes for every retransmission, except
     * that mac2 is set once a cookie has been accepted).
     */
    @Override
    public byte[] clientHello() {
        return clientHello.clone();
    }

    public State state() {
        return state;
    }

    /** When the attempt expires. */
    @Override
    public long deadlineNanos() {
        return startNanos + timeoutNanos;
    }

    @Override
    public boolean isExpired(long nowNanos) {
        return nowNanos - startNanos >= timeoutNanos;
    }

    /**
     * A ServerHello arrived. On success: {@link HandshakeStep.Outcome#ESTABLISHED} with
     * the Finished to send and the session keys. Costs 1 ML-DSA verify (also for a forged
     * message of the right length), then 1 ML-KEM decaps and 1 ML-DSA sign.
     */
    @Override
    public HandshakeStep onServerHello(byte[] message, long nowNanos) {
        if (state == State.ESTABLISHED) {
            return Arrays.equals(message, serverHello)
                    ? HandshakeStep.resent(finished, null)
                    : HandshakeStep.rejected(Reject.WRONG_STATE);
        }
        if (state != State.WAIT_SERVER_HELLO) {
            return HandshakeStep.rejected(Reject.WRONG_STATE);
        }
        if (isExpired(nowNanos)) {
            fail();
            return HandshakeStep.rejected(Reject.EXPIRED);
        }
        try {
            return accept(ServerHello.wrap(message.clone()));
        } catch (HandshakeException e) {
            return HandshakeStep.rejected(e.reason());
        }
    }

    /**
     * A CookieReply arrived (the hub is under load). If it opens under the pinned hub key
     * and this ClientHello's mac1, the cookie goes into mac2 and the step is
     * {@link HandshakeStep.Outcome#COOKIE} with the ClientHello to resend now. No PQC work.
     */
    @Override
    public HandshakeStep onCookieReply(byte[] message, long nowNanos) {
        if (state != State.WAIT_SERVER_HELLO) {
            return HandshakeStep.rejected(Reject.WRONG_STATE);
        }
        if (isExpired(nowNanos)) {
            fail();
            return HandshakeStep.rejected(Reject.EXPIRED);
        }
        try {
            byte[] cookie = guard.openCookie(CookieReply.wrap(message.clone()), clientHello);
            if (cookie == null) {
                return HandshakeStep.rejected(Reject.BAD_COOKIE);
            }
            guard.stampMac2(clientHello, cookie);
            Arrays.fill(cookie, (byte) 0);
            return HandshakeStep.cookie(clientHello.clone(), null);
        } catch (HandshakeException e) {
            return HandshakeStep.rejected(e.reason());
        }
    }

    /** The timer fired: fails the attempt once its deadline has passed. */
    public HandshakeStep onTimer(long nowNanos) {
        if (state == State.WAIT_SERVER_HELLO && isExpired(nowNanos)) {
            fail();
            return HandshakeStep.rejected(Reject.EXPIRED);
        }
        return HandshakeStep.none();
    }

    private HandshakeStep accept(ServerHello hello) {
        byte[] sh = hello.array();
        Transcript t = transcript.copy();
        t.absorb(sh, 0, ServerHello.SIGNED_BYTES);
        byte[] serverHelloHash = t.hash();
        if (!crypto.mlDsaVerify(hub.verificationKey(), HandshakeProtocol.HUB_SIGNATURE_CONTEXT, serverHelloHash,
                hello.signature())) {
            throw new HandshakeException(Reject.BAD_SIGNATURE);
        }
        byte[] x25519Secret = crypto.x25519Agree(x25519Key, hello.x25519PublicKey());
        byte[] mlKemSecret = crypto.mlKemDecapsulate(mlKemKey, hello.ciphertext());
        try (KeySchedule schedule = new KeySchedule(serverHelloHash, mlKemSecret, x25519Secret)) {
            t.absorb(sh, ServerHello.SIGNED_BYTES, ServerHello.BYTES - ServerHello.SIGNED_BYTES);
            Finished fin = Finished.build(node.keyId());
            byte[] fb = fin.array();
            t.absorb(fb, 0, Finished.HEADER_BYTES);
            byte[] finishedHash = t.hash();
            fin.setSignature(crypto.mlDsaSign(node.signingKey(), HandshakeProtocol.NODE_SIGNATURE_CONTEXT,
                    finishedHash, random));
            fin.setConfirm(schedule.confirm(finishedHash));
            SessionKeys keys = schedule.sessionKeys(SessionKeys.Role.NODE, finishedHash);
            serverHello = sh;
            finished = fb;
            state = State.ESTABLISHED;
            dropEphemerals();
            return HandshakeStep.established(fb, keys, null);
        } finally {
            Arrays.fill(x25519Secret, (byte) 0);
            Arrays.fill(mlKemSecret, (byte) 0);
        }
    }

    private void fail() {
        state = State.FAILED;
        dropEphemerals();
    }

    /**
     * Drops the ephemeral private keys. Bouncy Castle's parameter objects keep their own
     * copies, which cannot be wiped from outside; dropping the references is all we can do.
     */
    private void dropEphemerals() {
        mlKemKey = null;
        x25519Key = null;
    }

    /** Ends the attempt; session keys already handed out are the caller's to close. */
    @Override
    public void close() {
        state = State.CLOSED;
        dropEphemerals();
    }
}
