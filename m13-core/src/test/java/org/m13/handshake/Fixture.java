package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.m13.identity.AllowList;
import org.m13.identity.Identity;

/** Identities, an allow-list and helpers shared by the handshake tests. */
final class Fixture {
    static final long SECOND = 1_000_000_000L;
    static final long TIMEOUT = 10 * SECOND;
    static final long SOURCE = 0x0A0D0002_01BBL; // an opaque source: 10.13.0.2:443

    final Identity hub = Identity.fromSeed(seed(1));
    final Identity node = Identity.fromSeed(seed(2));
    final Identity otherNode = Identity.fromSeed(seed(3));
    final Identity attacker = Identity.fromSeed(seed(4));
    final AllowList allowList = AllowList.builder()
            .add("node-1", node.publicIdentity())
            .add("node-3", otherNode.publicIdentity())
            .build();
    final PqcCounter hubCounter = new PqcCounter();
    final PqcCounter nodeCounter = new PqcCounter();
    final SecureRandom random = seeded(42);

    static byte[] seed(int value) {
        byte[] s = new byte[Identity.SEED_BYTES];
        Arrays.fill(s, (byte) value);
        return s;
    }

    /** A SecureRandom whose output is fixed by the seed (for reproducible runs). */
    static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** No cookies (threshold above the attempt limit) and a rate limit the tests never reach. */
    static final HubHandshake.Config CONFIG = HubHandshake.Config.defaults()
            .withAttemptTimeoutNanos(TIMEOUT)
            .withMaxPending(16)
            .withCookieThreshold(17)
            .withRateLimit(1000, 1000);

    HubHandshake hubCore() {
        return new HubHandshake(hub, allowList, hubCounter, CONFIG);
    }

    HubHandshake hubCore(HubHandshake.Config config) {
        return new HubHandshake(hub, allowList, hubCounter, config);
    }

    NodeHandshake startNode(long now) {
        return NodeHandshake.start(node, hub.publicIdentity(), random, nodeCounter, now, TIMEOUT);
    }

    /** The result of an honest run over a perfect channel. */
    static final class Run {
        final byte[] clientHello;
        final byte[] serverHello;
        final byte[] finished;
        final SessionKeys nodeKeys;
        final SessionKeys hubKeys;

        Run(byte[] clientHello, byte[] serverHello, byte[] finished, SessionKeys nodeKeys, SessionKeys hubKeys) {
            this.clientHello = clientHello;
            this.serverHello = serverHello;
            this.finished = finished;
            this.nodeKeys = nodeKeys;
            this.hubKeys = hubKeys;
        }
    }

    Run honestRun(HubHandshake hubCore, long now) {
        try (NodeHandshake attempt = startNode(now)) {
            byte[] ch = attempt.clientHello();
            HandshakeStep sh = hubCore.onClientHello(ch, SOURCE, random, now);
            assertEquals(HandshakeStep.Outcome.SENT, sh.outcome(), sh.toString());
            HandshakeStep fin = attempt.onServerHello(sh.reply(), now);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, fin.outcome(), fin.toString());
            HandshakeStep done = hubCore.onFinished(fin.reply(), SOURCE, now);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, done.outcome(), done.toString());
            assertNotNull(done.keys());
            return new Run(ch, sh.reply(), fin.reply(), fin.keys(), done.keys());
        }
    }
}
