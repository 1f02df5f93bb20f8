package org.m13.handshake;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.DestroyFailedException;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.m13.identity.AllowList;
import org.m13.identity.Identity;
import org.m13.identity.KeyId;

/**
 * The hub's (responder's) handshake core: pending attempts keyed by (node key id,
 * source), driven by messages and timers.
 *
 * <pre>
 *   ClientHello: length, type, version -> mac1 -> allow-list -> duplicate?
 *                -> under load: mac2 (cookie) else CookieReply -> rate limit -> capacity
 *                -> X25519 + ML-KEM encaps + ML-DSA sign -> attempt WAIT_FINISHED, ServerHello
 *   Finished:    length, type, version -> attempt (key id, source) -> deadline
 *                -> confirm (HMAC) -> ML-DSA verify with the allow-listed key -> ESTABLISHED
 *   timer:       attempts past their deadline are removed and zeroed
 * </pre>
 *
 * Everything before the X25519/ML-KEM step costs at most three HMACs (and a
 * ChaCha20-Poly1305 seal for a CookieReply), so a message from someone who does not
 * know the hub's public key, names a node not on the allow-list, or under load has no
 * valid cookie, costs no PQC operation. A refused Finished leaves the attempt pending
 * (an injected message cannot abort a genuine handshake). {@code source} is the
 * caller's opaque encoding of where the message came from (e.g. IPv4 address and
 * port); a new ClientHello from the same node and source replaces the pending attempt.
 */
public final class HubHandshake implements HubCore, AutoCloseable {
    private final Identity hub;
    private final AllowList allowList;
    private final Crypto crypto;
    private final DosGuard guard;
    private final Config config;
    private final CookieJar cookies;
    private final RateLimiter rateLimiter;
    private final Map<AttemptKey, Attempt> pending = new HashMap<>();

    /**
     * Tunables of the hub core. {@code cookieThreshold}: with at least this many attempts
     * pending the hub is "under load" and answers ClientHellos without a valid mac2 with
     * a CookieReply (0 = always). The rate limit applies per source to ClientHellos that
     * would cost PQC work.
     */
    public record Config(long attemptTimeoutNanos, int maxPending, int cookieThreshold, long cookieRotationNanos,
            int handshakesPerSecond, int handshakeBurst, int rateLimitSources) {
        public Config {
            if (attemptTimeoutNanos <= 0 || maxPending <= 0 || cookieThreshold < 0 || cookieRotationNanos <= 0
                    || handshakesPerSecond <= 0 || handshakeBurst <= 0 || rateLimitSources <= 0) {
                throw new IllegalArgumentException("invalid hub handshake config: " + this);
            }
        }

        /**
         * 15 s per attempt, 256 pending (the peer limit), cookies from 16 pending, secret
         * rotated every 2 minutes, 5 handshakes/s per source with a burst of 10, 4096 sources.
         */
        public static Config defaults() {
            return new Config(15_000_000_000L, 256, 16, 120_000_000_000L, 5, 10, 4096);
        }

        public Config withAttemptTimeoutNanos(long nanos) {
            return new Config(nanos, maxPending, cookieThreshold, cookieRotationNanos, handshakesPerSecond,
                    handshakeBurst, rateLimitSources);
        }

        public Config withMaxPending(int attempts) {
            return new Config(attemptTimeoutNanos, attempts, cookieThreshold, cookieRotationNanos, handshakesPerSecond,
                    handshakeBurst, rateLimitSources);
        }

        public Config withCookieThreshold(int attempts) {
            return new Config(attemptTimeoutNanos, maxPending, attempts, cookieRotationNanos, handshakesPerSecond,
                    handshakeBurst, rateLimitSources);
        }

        public Config withRateLimit(int perSecond, int burst) {
            return new Config(attemptTimeoutNanos, maxPending, cookieThreshold, cookieRotationNanos, perSecond, burst,
                    rateLimitSources);
        }
    }

    public HubHandshake(Identity hub, AllowList allowList, PqcCounter counter, Config config) {
        this.hub = hub;
        this.allowList = allowList;
        this.crypto = new Crypto(counter);
        this.guard = new DosGuard(hub.publicIdentity());
        this.config = config;
        this.cookies = new CookieJar(config.cookieRotationNanos());
        this.rateLimiter = new RateLimiter(config.handshakesPerSecond(), config.handshakeBurst(),
                config.rateLimitSources());
    }

    /** The DoS guard of this hub's key (for checks before reassembly). */
    public DosGuard dosGuard() {
        return guard;
    }

    public int pendingCount() {
        return pending.size();
    }

    /**
     * A ClientHello arrived from {@code source}. {@link HandshakeStep.Outcome#SENT} with
     * the ServerHello (1 ML-KEM encaps, 1 ML-DSA sign), {@code RESENT} with the same
     * ServerHello for a duplicate (no crypto), or REJECTED.
     */
    @Override
    public HandshakeStep onClientHello(byte[] message, long source, SecureRandom random, long nowNanos) {
        try {
            HandshakeProtocol.checkHeader(message, HandshakeProtocol.TYPE_CLIENT_HELLO, ClientHello.BYTES);
            if (!guard.check(message)) {
                return HandshakeStep.rejected(Reject.BAD_MAC);
            }
            ClientHello hello = ClientHello.wrap(message.clone());
            AllowList.Entry node = allowList.lookup(hello.nodeKeyId());
            if (node == null) {
                return HandshakeStep.rejected(Reject.UNKNOWN_NODE);
            }
            AttemptKey key = new AttemptKey(hello.nodeKeyId(), source);
            Attempt previous = pending.get(key);
            if (previous != null && !previous.isExpired(nowNanos) && Arrays.equals(previous.clientHello, 0,
                    ClientHello.AUTHENTICATED_BYTES, message, 0, ClientHello.AUTHENTICATED_BYTES)) {
                return HandshakeStep.resent(previous.serverHello, node.name());
            }
            if (pending.size() >= config.cookieThreshold()
                    && !cookies.checkMac2(guard, message, source, random, nowNanos)) {
                byte[] cookie = cookies.cookie(source, random, nowNanos);
                byte[] reply = guard.sealCookie(cookie, message, random);
                Arrays.fill(cookie, (byte) 0);
                return HandshakeStep.cookie(reply, node.name());
            }
            if (!rateLimiter.tryAcquire(source, nowNanos)) {
                return HandshakeStep.rejected(Reject.RATE_LIMITED);
            }
            if (previous == null && pending.size() >= config.maxPending() && expire(nowNanos) == 0) {
                return HandshakeStep.rejected(Reject.BUSY);
            }
            Attempt attempt = respond(hello, node, random, nowNanos);
            Attempt replaced = pending.put(key, attempt);
            if (replaced != null) {
                replaced.close();
            }
            return HandshakeStep.sent(attempt.serverHello, node.name());
        } catch (HandshakeException e) {
            return HandshakeStep.rejected(e.reason());
        }
    }

    private Attempt respond(ClientHello hello, AllowList.Entry node, SecureRandom random, long nowNanos) {
        byte[] ch = hello.array();
        X25519PrivateKeyParameters x25519Key = crypto.x25519KeyPair(random);
        byte[] x25519Secret = crypto.x25519Agree(x25519Key, hello.x25519PublicKey());
        byte[] mlKemSecret = null;
        SecretWithEncapsulation encapsulated = null;
        try {
            encapsulated = crypto.mlKemEncapsulate(hello.mlKemPublicKey(), random);
            mlKemSecret = encapsulated.getSecret();
            byte[] nonce = new byte[HandshakeProtocol.NONCE_BYTES];
            random.nextBytes(nonce);
            ServerHello reply = ServerHello.build(nonce, encapsulated.getEncapsulation(),
                    x25519Key.generatePublicKey().getEncoded());
            byte[] sh = reply.array();
            Transcript transcript = new Transcript(hub.publicIdentity(), node.publicIdentity());
            transcript.absorb(ch, 0, ClientHello.AUTHENTICATED_BYTES);
            transcript.absorb(sh, 0, ServerHello.SIGNED_BYTES);
            byte[] serverHelloHash = transcript.hash();
            reply.setSignature(crypto.mlDsaSign(hub.signingKey(), HandshakeProtocol.HUB_SIGNATURE_CONTEXT,
                    serverHelloHash, random));
            transcript.absorb(sh, ServerHello.SIGNED_BYTES, ServerHello.BYTES - ServerHello.SIGNED_BYTES);
            KeySchedule schedule = new KeySchedule(serverHelloHash, mlKemSecret, x25519Secret);
            return new Attempt(node, ch, sh, transcript, schedule, nowNanos + config.attemptTimeoutNanos());
        } finally {
            Arrays.fill(x25519Secret, (byte) 0);
            if (mlKemSecret != null) {
                Arrays.fill(mlKemSecret, (byte) 0);
            }
            destroy(encapsulated);
        }
    }

    /** Zeroes Bouncy Castle's own copy of the ML-KEM shared secret. */
    private static void destroy(SecretWithEncapsulation encapsulated) {
        if (encapsulated == null) {
            return;
        }
        try {
            encapsulated.destroy();
        } catch (DestroyFailedException e) {
            throw new IllegalStateException("could not wipe the ML-KEM shared secret", e);
        }
    }

    /**
     * A Finished arrived from {@code source}. {@link HandshakeStep.Outcome#ESTABLISHED}
     * with the keys and the node's name (1 ML-DSA verify, after a correct confirm), or
     * REJECTED. Without a pending attempt it costs no crypto at all.
     */
    @Override
    public HandshakeStep onFinished(byte[] message, long source, long nowNanos) {
        try {
            Finished fin = Finished.wrap(message.clone());
            AttemptKey key = new AttemptKey(fin.nodeKeyId(), source);
            Attempt attempt = pending.get(key);
            if (attempt == null) {
                return HandshakeStep.rejected(Reject.NO_ATTEMPT);
            }
            if (attempt.isExpired(nowNanos)) {
                pending.remove(key).close();
                return HandshakeStep.rejected(Reject.EXPIRED);
            }
            byte[] fb = fin.array();
            Transcript t = attempt.transcript.copy();
            t.absorb(fb, 0, Finished.HEADER_BYTES);
            byte[] finishedHash = t.hash();
            byte[] expected = attempt.schedule.confirm(finishedHash);
            boolean confirmed = Crypto.equalAt(expected, fb, Finished.OFFSET_CONFIRM);
            Arrays.fill(expected, (byte) 0);
            if (!confirmed) {
                return HandshakeStep.rejected(Reject.BAD_CONFIRM);
            }
            if (!crypto.mlDsaVerify(attempt.node.publicIdentity().verificationKey(),
                    HandshakeProtocol.NODE_SIGNATURE_CONTEXT, finishedHash, fin.signature())) {
                return HandshakeStep.rejected(Reject.BAD_SIGNATURE);
            }
            pending.remove(key);
            SessionKeys keys = attempt.schedule.sessionKeys(SessionKeys.Role.HUB, finishedHash);
            attempt.close();
            return HandshakeStep.established(null, keys, attempt.node.name());
        } catch (HandshakeException e) {
            return HandshakeStep.rejected(e.reason());
        }
    }

    /** The timer fired: removes and zeroes attempts past their deadline; returns how many. */
    @Override
    public int onTimer(long nowNanos) {
        return expire(nowNanos);
    }

    private int expire(long nowNanos) {
        int expired = 0;
        for (Iterator<Attempt> it = pending.values().iterator(); it.hasNext();) {
            Attempt attempt = it.next();
            if (attempt.isExpired(nowNanos)) {
                attempt.close();
                it.remove();
                expired++;
            }
        }
        return expired;
    }

    /** Zeroes every pending attempt and the cookie secrets. */
    @Override
    public void close() {
        for (Attempt attempt : pending.values()) {
            attempt.close();
        }
        pending.clear();
        cookies.close();
    }

    private static final class AttemptKey {
        private final KeyId node;
        private final long source;

        AttemptKey(KeyId node, long source) {
            this.node = node;
            this.source = source;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof AttemptKey that && node.equals(that.node) && source == that.source;
        }

        @Override
        public int hashCode() {
            return Objects.hash(node, source);
        }
    }

    /** A ServerHello sent, waiting for the Finished. Holds the PRK until closed. */
    private static final class Attempt implements AutoCloseable {
        final AllowList.Entry node;
        final byte[] clientHello;
        final byte[] serverHello;
        final Transcript transcript;
        final KeySchedule schedule;
        final long deadlineNanos;

        Attempt(AllowList.Entry node, byte[] clientHello, byte[] serverHello, Transcript transcript,
                KeySchedule schedule, long deadlineNanos) {
            this.node = node;
            this.clientHello = clientHello;
            this.serverHello = serverHello;
            this.transcript = transcript;
            this.schedule = schedule;
            this.deadlineNanos = deadlineNanos;
        }

        boolean isExpired(long nowNanos) {
            return nowNanos - deadlineNanos >= 0;
        }

        @Override
        public void close() {
            schedule.close();
        }
    }
}
