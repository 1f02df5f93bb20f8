package org.m13.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Honest runs and the state machines, transition by transition. */
class HandshakeTest {
    private final Fixture f = new Fixture();

    @Test
    void honestRunDerivesEqualKeysOnePerDirection() {
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run run = f.honestRun(hub, 0);
            assertArrayEquals(run.nodeKeys.nodeToHubKey(), run.hubKeys.nodeToHubKey());
            assertArrayEquals(run.nodeKeys.hubToNodeKey(), run.hubKeys.hubToNodeKey());
            assertArrayEquals(run.nodeKeys.sendKey(), run.hubKeys.receiveKey());
            assertArrayEquals(run.hubKeys.sendKey(), run.nodeKeys.receiveKey());
            assertFalse(Arrays.equals(run.nodeKeys.nodeToHubKey(), run.nodeKeys.hubToNodeKey()));
            assertEquals(SessionKeys.KEY_BYTES, run.nodeKeys.sendKey().length);
            assertArrayEquals(run.nodeKeys.handshakeHash(), run.hubKeys.handshakeHash());
            assertEquals(0, hub.pendingCount());
        }
    }

    @Test
    void eachRunHasFreshKeys() {
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run a = f.honestRun(hub, 0);
            Fixture.Run b = f.honestRun(hub, 0);
            assertFalse(Arrays.equals(a.nodeKeys.nodeToHubKey(), b.nodeKeys.nodeToHubKey()));
            assertFalse(Arrays.equals(a.clientHello, b.clientHello));
        }
    }

    @Test
    void pqcWorkPerSideIsAsDocumented() {
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run unused = f.honestRun(hub, 0);
            assertEquals(1, f.nodeCounter.mlKemKeyGen());
            assertEquals(1, f.nodeCounter.mlKemDecaps());
            assertEquals(1, f.nodeCounter.mlDsaVerify());
            assertEquals(1, f.nodeCounter.mlDsaSign());
            assertEquals(4, f.nodeCounter.pqcOperations());
            assertEquals(1, f.hubCounter.mlKemEncaps());
            assertEquals(1, f.hubCounter.mlDsaSign());
            assertEquals(1, f.hubCounter.mlDsaVerify());
            assertEquals(3, f.hubCounter.pqcOperations());
            assertEquals(2, f.hubCounter.x25519());
            assertEquals(2, f.nodeCounter.x25519());
        }
    }

    @Test
    void sameRandomnessGivesTheSameHandshake() {
        Fixture one = new Fixture();
        Fixture two = new Fixture();
        try (HubHandshake h1 = one.hubCore(); HubHandshake h2 = two.hubCore()) {
            Fixture.Run a = one.honestRun(h1, 0);
            Fixture.Run b = two.honestRun(h2, 0);
            assertArrayEquals(a.clientHello, b.clientHello);
            assertArrayEquals(a.serverHello, b.serverHello);
            assertArrayEquals(a.finished, b.finished);
            assertArrayEquals(a.nodeKeys.nodeToHubKey(), b.hubKeys.nodeToHubKey());
        }
    }

    @Test
    void closingKeysZeroesThem() {
        try (HubHandshake hub = f.hubCore()) {
            Fixture.Run run = f.honestRun(hub, 0);
            run.nodeKeys.close();
            assertTrue(run.nodeKeys.isClosed());
            assertThrows(IllegalStateException.class, run.nodeKeys::sendKey);
            assertFalse(run.nodeKeys.toString().matches(".*[0-9a-f]{16}.*"));
            run.hubKeys.close();
        }
    }

    // ---- node state machine ----

    @Test
    void nodeStartsWaitingAndResendsTheSameClientHello() {
        try (NodeHandshake node = f.startNode(0)) {
            assertEquals(NodeHandshake.State.WAIT_SERVER_HELLO, node.state());
            assertArrayEquals(node.clientHello(), node.clientHello());
            assertEquals(HandshakeStep.Outcome.NONE, node.onTimer(Fixture.TIMEOUT - 1).outcome());
        }
    }

    @Test
    void nodeDuplicateServerHelloResendsFinishedWithoutCrypto() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            HandshakeStep first = node.onServerHello(sh, 0);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, first.outcome());
            long before = f.nodeCounter.pqcOperations();
            HandshakeStep again = node.onServerHello(sh, 1);
            assertEquals(HandshakeStep.Outcome.RESENT, again.outcome());
            assertArrayEquals(first.reply(), again.reply());
            assertNull(again.keys());
            assertEquals(before, f.nodeCounter.pqcOperations());
            byte[] other = sh.clone();
            other[100] ^= 1;
            assertEquals(Reject.WRONG_STATE, node.onServerHello(other, 2).reject());
            assertEquals(before, f.nodeCounter.pqcOperations());
            assertEquals(NodeHandshake.State.ESTABLISHED, node.state());
            first.keys().close();
        }
    }

    @Test
    void nodeKeepsWaitingAfterAForgedServerHello() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            byte[] forged = sh.clone();
            forged[ServerHello.OFFSET_SIGNATURE + 7] ^= 0x40;
            assertEquals(Reject.BAD_SIGNATURE, node.onServerHello(forged, 0).reject());
            assertEquals(NodeHandshake.State.WAIT_SERVER_HELLO, node.state());
            HandshakeStep genuine = node.onServerHello(sh, 0);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, genuine.outcome());
            HandshakeStep done = hub.onFinished(genuine.reply(), Fixture.SOURCE, 0);
            assertArrayEquals(genuine.keys().sendKey(), done.keys().receiveKey());
        }
    }

    @Test
    void nodeDeadlineFailsTheAttempt() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            HandshakeStep timer = node.onTimer(Fixture.TIMEOUT);
            assertEquals(Reject.EXPIRED, timer.reject());
            assertEquals(NodeHandshake.State.FAILED, node.state());
            long before = f.nodeCounter.pqcOperations();
            assertEquals(Reject.WRONG_STATE, node.onServerHello(sh, Fixture.TIMEOUT).reject());
            assertEquals(before, f.nodeCounter.pqcOperations());
        }
    }

    @Test
    void nodeLateServerHelloIsExpiredWithoutCrypto() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            long before = f.nodeCounter.pqcOperations();
            assertEquals(Reject.EXPIRED, node.onServerHello(sh, Fixture.TIMEOUT + 1).reject());
            assertEquals(NodeHandshake.State.FAILED, node.state());
            assertEquals(before, f.nodeCounter.pqcOperations());
        }
    }

    @Test
    void nodeRefusesOtherMessageTypesWithoutCrypto() {
        NodeHandshake node = f.startNode(0);
        long before = f.nodeCounter.pqcOperations();
        assertEquals(Reject.BAD_LENGTH, node.onServerHello(node.clientHello(), 0).reject());
        byte[] wrongType = new byte[ServerHello.BYTES];
        wrongType[0] = 0x03;
        wrongType[1] = 0x02;
        assertEquals(Reject.BAD_TYPE, node.onServerHello(wrongType, 0).reject());
        assertEquals(before, f.nodeCounter.pqcOperations());
        node.close();
        assertEquals(NodeHandshake.State.CLOSED, node.state());
        assertEquals(Reject.WRONG_STATE, node.onServerHello(new byte[ServerHello.BYTES], 0).reject());
    }

    // ---- hub state machine ----

    @Test
    void hubDuplicateClientHelloResendsTheSameServerHelloWithoutCrypto() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            HandshakeStep first = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0);
            assertEquals(HandshakeStep.Outcome.SENT, first.outcome());
            assertEquals("node-1", first.peerName());
            long before = f.hubCounter.pqcOperations();
            HandshakeStep again = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 1);
            assertEquals(HandshakeStep.Outcome.RESENT, again.outcome());
            assertArrayEquals(first.reply(), again.reply());
            assertEquals(before, f.hubCounter.pqcOperations());
            assertEquals(1, hub.pendingCount());
        }
    }

    @Test
    void hubNewClientHelloFromTheSameNodeReplacesTheAttempt() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake old = f.startNode(0); NodeHandshake fresh = f.startNode(0)) {
            HandshakeStep oldReply = hub.onClientHello(old.clientHello(), Fixture.SOURCE, f.random, 0);
            HandshakeStep freshReply = hub.onClientHello(fresh.clientHello(), Fixture.SOURCE, f.random, 0);
            assertEquals(1, hub.pendingCount());
            HandshakeStep oldFin = old.onServerHello(oldReply.reply(), 0);
            assertEquals(Reject.BAD_CONFIRM, hub.onFinished(oldFin.reply(), Fixture.SOURCE, 0).reject());
            HandshakeStep freshFin = fresh.onServerHello(freshReply.reply(), 0);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, hub.onFinished(freshFin.reply(), Fixture.SOURCE, 0).outcome());
        }
    }

    @Test
    void hubKeepsTheAttemptAfterAForgedFinished() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            byte[] fin = node.onServerHello(sh, 0).reply();
            byte[] badSig = fin.clone();
            badSig[Finished.OFFSET_SIGNATURE + 3] ^= 1;
            assertEquals(Reject.BAD_SIGNATURE, hub.onFinished(badSig, Fixture.SOURCE, 0).reject());
            byte[] badConfirm = fin.clone();
            badConfirm[Finished.OFFSET_CONFIRM] ^= 1;
            long before = f.hubCounter.pqcOperations();
            assertEquals(Reject.BAD_CONFIRM, hub.onFinished(badConfirm, Fixture.SOURCE, 0).reject());
            assertEquals(before, f.hubCounter.pqcOperations()); // confirm is checked before ML-DSA
            assertEquals(1, hub.pendingCount());
            HandshakeStep done = hub.onFinished(fin, Fixture.SOURCE, 0);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, done.outcome());
            assertEquals("node-1", done.peerName());
            // a duplicate Finished after success finds no attempt and costs nothing
            before = f.hubCounter.pqcOperations();
            assertEquals(Reject.NO_ATTEMPT, hub.onFinished(fin, Fixture.SOURCE, 0).reject());
            assertEquals(before, f.hubCounter.pqcOperations());
        }
    }

    @Test
    void hubFinishedFromAnotherSourceFindsNoAttempt() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            byte[] fin = node.onServerHello(sh, 0).reply();
            assertEquals(Reject.NO_ATTEMPT, hub.onFinished(fin, Fixture.SOURCE + 1, 0).reject());
        }
    }

    @Test
    void hubAttemptsExpire() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] sh = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            byte[] fin = node.onServerHello(sh, 0).reply();
            assertEquals(0, hub.onTimer(Fixture.TIMEOUT - 1));
            assertEquals(Reject.EXPIRED, hub.onFinished(fin, Fixture.SOURCE, Fixture.TIMEOUT).reject());
            assertEquals(0, hub.pendingCount());
        }
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            HandshakeStep unused = hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0);
            assertEquals(1, hub.onTimer(Fixture.TIMEOUT));
            assertEquals(0, hub.pendingCount());
        }
    }

    @Test
    void hubRefusesNewAttemptsWhenFullUntilOnesExpire() {
        try (HubHandshake hub = f.hubCore(Fixture.CONFIG.withMaxPending(2))) {
            for (int i = 0; i < 2; i++) {
                try (NodeHandshake n = f.startNode(0)) {
                    assertEquals(HandshakeStep.Outcome.SENT,
                            hub.onClientHello(n.clientHello(), Fixture.SOURCE + i, f.random, 0).outcome());
                }
            }
            try (NodeHandshake n = f.startNode(0)) {
                long before = f.hubCounter.pqcOperations();
                assertEquals(Reject.BUSY, hub.onClientHello(n.clientHello(), Fixture.SOURCE + 9, f.random, 1).reject());
                assertEquals(before, f.hubCounter.pqcOperations());
                assertEquals(HandshakeStep.Outcome.SENT,
                        hub.onClientHello(n.clientHello(), Fixture.SOURCE + 9, f.random, Fixture.TIMEOUT).outcome());
                assertEquals(1, hub.pendingCount());
            }
        }
    }

    // ---- out of order ----

    @Test
    void outOfOrderMessagesAreRefusedWithoutPqcWork() {
        try (HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0);
                NodeHandshake donor = f.startNode(0)) {
            // a Finished before any ClientHello
            byte[] sh = hub.onClientHello(donor.clientHello(), Fixture.SOURCE + 5, f.random, 0).reply();
            byte[] fin = donor.onServerHello(sh, 0).reply();
            long before = f.hubCounter.pqcOperations();
            assertEquals(Reject.NO_ATTEMPT, hub.onFinished(fin, Fixture.SOURCE, 0).reject());
            // messages of the wrong type to each handler
            assertEquals(Reject.BAD_LENGTH, hub.onClientHello(sh, Fixture.SOURCE, f.random, 0).reject());
            assertEquals(Reject.BAD_LENGTH, hub.onFinished(node.clientHello(), Fixture.SOURCE, 0).reject());
            assertEquals(before, f.hubCounter.pqcOperations());
            long nodeBefore = f.nodeCounter.pqcOperations();
            assertEquals(Reject.BAD_LENGTH, node.onServerHello(fin, 0).reject());
            assertEquals(Reject.BAD_LENGTH, node.onCookieReply(sh, 0).reject());
            assertEquals(nodeBefore, f.nodeCounter.pqcOperations());
        }
    }

    @Test
    void cookieReplyAfterEstablishedOrExpiryIsRefused() {
        try (HubHandshake loaded = f.hubCore(Fixture.CONFIG.withCookieThreshold(0));
                HubHandshake hub = f.hubCore(); NodeHandshake node = f.startNode(0)) {
            byte[] cookieReply = loaded.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            HandshakeStep fin = node.onServerHello(
                    hub.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply(), 0);
            assertEquals(HandshakeStep.Outcome.ESTABLISHED, fin.outcome());
            assertEquals(Reject.WRONG_STATE, node.onCookieReply(cookieReply, 1).reject());
            fin.keys().close();
        }
        try (HubHandshake loaded = f.hubCore(Fixture.CONFIG.withCookieThreshold(0)); NodeHandshake node = f.startNode(0)) {
            byte[] cookieReply = loaded.onClientHello(node.clientHello(), Fixture.SOURCE, f.random, 0).reply();
            assertEquals(Reject.EXPIRED, node.onCookieReply(cookieReply, Fixture.TIMEOUT).reject());
            assertEquals(NodeHandshake.State.FAILED, node.state());
        }
    }
}
