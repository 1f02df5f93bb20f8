package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Issue 4 item 4 (second part): cookies under load and the per-source rate limit. */
class CookieTest {
    private final Fixture f = new Fixture();

    /** A hub that is always "under load": every ClientHello needs a cookie. */
    private HubHandshake loadedHub() {
        return f.hubCore(Fixture.CONFIG.withCookieThreshold(0));
    }

    @Test
    void underLoadAClientHelloWithoutCookieGetsASmallCookieReplyAndNoPqcWork() {
        try (HubHandshake hub = loadedHub(); NodeHandshake node = f.startNode(0)) {
            HandshakeStep step = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0);
            assertEquals(HandshakeStep.Outcome.COOKIE, step.outcome());
            assertEquals(CookieReply.BYTES, step.reply().length);
            assertEquals(46, CookieReply.BYTES);
            assertEquals(0, f.hubCounter.pqcOperations());
            assertEquals(0, f.hubCounter.x25519());
            assertEquals(0, hub.pendingCount());
        }
    }

    @Test
    void nodeEchoesTheCookieAndTheHandshakeCompletesWithEqualKeys() {
        try (HubHandshake hub = loadedHub(); NodeHandshake node = f.startNode(0)) {
            byte[] first = node.clientHello();
            byte[] cookieReply = hub.onClientHello(first, Fixture.SOURCE, f.random, 0).reply();
            HandshakeStep echoed = node.onCookieReply(cookieReply, 1);
            assertEquals(HandshakeStep.Outcome.COOKIE, echoed.outcome());
            byte[] second = echoed.reply();
            assertArrayEquals(second, node.clientHello());
            // only mac2 changed: the transcript content is the same
            assertArrayEquals(Arrays.copyOf(first, ClientHello.OFFSET_MAC2), Arrays.copyOf(second, ClientHello.OFFSET_MAC2));
            assertFalse(Arrays.equals(first, second));
            HandshakeStep sh = hub.onClientHello(second, Fixture.SOURCE, f.random, 2);
            assertEquals(HandshakeStep.Outcome.SENT, sh.outcome());
            HandshakeStep fin = node.onServerHello(sh.reply(), 3);
            HandshakeStep done = hub.onFinished(fin.reply(), Fixture.SOURCE, 4);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, done.outcome());
            assertArrayEquals(fin.keys().nodeToHubKey(), done.keys().nodeToHubKey());
        }
    }

    @Test
    void floodWithoutCookiesCostsNoPqcWork() {
        try (HubHandshake hub = loadedHub()) {
            for (int i = 0; i < 200; i++) {
                try (NodeHandshake node = NodeHandshake.start(f.node, f.hub.publicIdentity(), f.random,
                        new PqcCounter(), 0, Fixture.TIMEOUT)) {
                    // valid mac1, allowed key id, but no cookie (or a cookie for another source)
                    HandshakeStep step = hub.onClientHello(node.clientHello(), Fixture.SOURCE + i, f.random, 0);
                    assertEquals(HandshakeStep.Outcome.COOKIE, step.outcome());
                    if (i % 2 == 1) {
                        byte[] withCookie = node.onCookieReply(step.reply(), 0).reply();
                        assertEquals(HandshakeStep.Outcome.COOKIE,
                                hub.onClientHello(withCookie, Fixture.SOURCE + 1000 + i, f.random, 0).outcome());
                    }
                }
            }
            assertEquals(0, f.hubCounter.pqcOperations());
            assertEquals(0, hub.pendingCount());
        }
    }

    @Test
    void cookiesOnlyStartWhenManyAttemptsArePending() {
        try (HubHandshake hub = f.hubCore(Fixture.CONFIG.withCookieThreshold(2))) {
            for (int i = 0; i < 2; i++) {
                try (NodeHandshake node = f.startNode(0)) {
                    assertEquals(HandshakeStep.Outcome.SENT,
                            hub.onClientHello(node.clientHello(), Fixture.SOURCE + i, f.random, 0).outcome());
                }
            }
            try (NodeHandshake node = f.startNode(0)) {
                assertEquals(HandshakeStep.Outcome.COOKIE,
                        hub.onClientHello(node.clientHello(), Fixture.SOURCE + 2, f.random, 0).outcome());
            }
            assertEquals(2, f.hubCounter.mlDsaSign());
        }
    }

    @Test
    void cookieLivesTwoToFourMinutes() {
        long minute = 60 * Fixture.SECOND;
        HubHandshake.Config config = Fixture.CONFIG.withCookieThreshold(0).withAttemptTimeoutNanos(10 * minute);
        try (HubHandshake hub = f.hubCore(config);
                NodeHandshake node = NodeHandshake.start(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter, 0,
                        10 * minute)) {
            byte[] withCookie = node.onCookieReply(
                    hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply(), 0).reply();
            // after one rotation (2 min) the cookie made with the previous secret still counts
            assertEquals(HandshakeStep.Outcome.SENT,
                    hub.onClientHello(withCookie, Fixture.SOURCE, f.random, 3 * minute).outcome());
        }
        try (HubHandshake hub = f.hubCore(config);
                NodeHandshake node = NodeHandshake.start(f.node, f.hub.publicIdentity(), f.random, f.nodeCounter, 0,
                        10 * minute)) {
            byte[] withCookie = node.onCookieReply(
                    hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply(), 0).reply();
            // after two rotations it does not
            assertEquals(HandshakeStep.Outcome.COOKIE,
                    hub.onClientHello(withCookie, Fixture.SOURCE, f.random, 4 * minute + 1).outcome());
        }
    }

    @Test
    void nodeRefusesForgedOrMisboundCookieReplies() {
        try (HubHandshake hub = loadedHub(); NodeHandshake node = f.startNode(0); NodeHandshake other = f.startNode(0)) {
            byte[] reply = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            byte[] tampered = reply.clone();
            tampered[CookieReply.OFFSET_COOKIE] ^= 1;
            assertEquals(Reject.BAD_COOKIE, node.onCookieReply(tampered, 0).reject());
            // a reply to another ClientHello (other mac1) does not open
            assertEquals(Reject.BAD_COOKIE, other.onCookieReply(reply, 0).reject());
            assertEquals(Reject.BAD_LENGTH, node.onCookieReply(Arrays.copyOf(reply, 45), 0).reject());
            // a hub that does not hold the pinned key cannot make one the node accepts
            DosGuard impostor = new DosGuard(f.attacker.publicIdentity());
            byte[] forged = impostor.sealCookie(new byte[16], node.clientHello(), f.random);
            assertEquals(Reject.BAD_COOKIE, node.onCookieReply(forged, 0).reject());
            assertEquals(HandshakeStep.Outcome.COOKIE, node.onCookieReply(reply, 0).outcome());
            assertEquals(2, f.nodeCounter.pqcOperations()); // only the two ML-KEM keygens of start()
        }
    }

    @Test
    void rateLimitPerSourceRefusesBeyondTheBurstAndRefills() {
        try (HubHandshake hub = f.hubCore(Fixture.CONFIG.withRateLimit(2, 3))) {
            long t = 0;
            for (int i = 0; i < 3; i++) {
                try (NodeHandshake node = f.startNode(t)) {
                    assertEquals(HandshakeStep.Outcome.SENT,
                            hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, t).outcome());
                }
            }
            long before = f.hubCounter.pqcOperations();
            try (NodeHandshake node = f.startNode(t)) {
                assertEquals(Reject.RATE_LIMITED, hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, t).reject());
                assertEquals(before, f.hubCounter.pqcOperations());
                // another source is not affected
                assertEquals(HandshakeStep.Outcome.SENT,
                        hub.onClientHello(node.clientHello(), Fixture.SOURCE + 1, f.random, t).outcome());
            }
            t += Fixture.SECOND / 2; // one token back at 2 per second
            try (NodeHandshake node = f.startNode(t)) {
                assertEquals(HandshakeStep.Outcome.SENT,
                        hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, t).outcome());
            }
        }
    }

    @Test
    void rateLimiterTableIsBounded() {
        RateLimiter limiter = new RateLimiter(1, 1, 4);
        for (long source = 0; source < 4; source++) {
            assertTrue(limiter.tryAcquire(source, 0));
        }
        assertFalse(limiter.tryAcquire(99, 0)); // full, nobody idle
        assertEquals(4, limiter.sources());
        assertTrue(limiter.tryAcquire(99, Fixture.SECOND)); // idle buckets purged after a refill
        assertEquals(1, limiter.sources());
    }
}
